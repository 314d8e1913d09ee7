package logship

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/actions/sqlserver"
)

// headerReaders is how many RESTORE HEADERONLY run at once (each on its
// own session): reading headers is most of the time of planning.
const headerReaders = 8

// dirPair is one folder of log backups: as SQL Server reads it (RESTORE
// paths) and as the host running failover lists it.
type dirPair struct {
	SQL, Local string
}

// candidate is a file the listing took.
type candidate struct {
	Name     string
	SQLPath  string
	DirIndex int
	Size     int64
	ModTime  time.Time
}

// cacheKey identifies a file's content for the header cache: a file
// whose size or modification time changed is read again.
type cacheKey struct {
	path  string
	size  int64
	mtime int64
}

// headerEntry is what reading a file's headers gave: its sets, or why it
// could not be read.
type headerEntry struct {
	sets       []backupSet
	unreadable string
}

// headerCache keeps the headers read during a run (the Pool's run-scoped
// store holds it), so a re-scan, a probe and an inspection read each file
// once.
type headerCache struct {
	mu sync.Mutex // guards m
	m  map[cacheKey]headerEntry
}

// cacheKeyName is the Pool's Shared key of the header cache.
const cacheKeyName = "logship.apply/headers"

func newHeaderCache() *headerCache { return &headerCache{m: map[cacheKey]headerEntry{}} }

func (c *headerCache) get(k cacheKey) (headerEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return e, ok
}

func (c *headerCache) put(k cacheKey, e headerEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = e
}

// listCandidates lists the files of every folder whose names match
// pattern (case-insensitively: Windows names are), in folder then name
// order. A folder that cannot be listed is an error.
func listCandidates(dirs []dirPair, pattern string) ([]candidate, error) {
	pat := strings.ToLower(pattern)
	var out []candidate
	for i, d := range dirs {
		entries, err := os.ReadDir(d.Local)
		if err != nil {
			return nil, fmt.Errorf("list the log backups in %s: %w", d.Local, err)
		}
		for _, e := range entries {
			// Links are listed too: SQL Server opens the name, and says
			// why it cannot (a file in use, gone).
			if e.IsDir() || !doublestar.MatchUnvalidated(pat, strings.ToLower(e.Name())) {
				continue
			}
			fi, err := e.Info()
			if errors.Is(err, iofs.ErrNotExist) {
				continue // deleted since the listing (retention)
			}
			if err != nil {
				return nil, fmt.Errorf("look at %s: %w", filepath.Join(d.Local, e.Name()), err)
			}
			out = append(out, candidate{Name: e.Name(), SQLPath: joinSQLPath(d.SQL, e.Name()), DirIndex: i,
				Size: fi.Size(), ModTime: fi.ModTime()})
		}
	}
	return out, nil
}

// joinSQLPath joins a folder and a file name as SQL Server's host writes
// paths: with a backslash for a Windows folder, else a slash.
func joinSQLPath(dir, name string) string {
	if strings.Contains(dir, `\`) || len(dir) >= 2 && dir[1] == ':' {
		return strings.TrimRight(dir, `\/`) + `\` + name
	}
	return strings.TrimRight(dir, "/") + "/" + name
}

// readHeaders reads the headers of every candidate through db, from the
// cache where the file is unchanged, headerReaders at a time. It returns
// the sets in candidate order and the files that could not be read, with
// why. An error that says SQL Server cannot see the folder at all stops
// it.
func readHeaders(ctx context.Context, db *sql.DB, cache *headerCache, cands []candidate) ([]backupSet, []skipped, error) {
	entries := make([]headerEntry, len(cands))
	errs := make([]error, len(cands))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(headerReaders, len(cands)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				entries[i], errs[i] = readHeader(ctx, db, cache, cands[i])
			}
		}()
	}
	for i := range cands {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var sets []backupSet
	var unreadable []skipped
	for i, c := range cands {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		if entries[i].unreadable != "" {
			unreadable = append(unreadable, skipped{Ref: c.Name, Why: entries[i].unreadable})
			continue
		}
		sets = append(sets, entries[i].sets...)
	}
	return sets, unreadable, nil
}

// readHeader reads one file's headers (RESTORE HEADERONLY, the path sent
// as a parameter), or takes them from the cache.
func readHeader(ctx context.Context, db *sql.DB, cache *headerCache, c candidate) (headerEntry, error) {
	key := cacheKey{path: c.SQLPath, size: c.Size, mtime: c.ModTime.UnixNano()}
	if e, ok := cache.get(key); ok {
		return e, nil
	}
	if err := ctx.Err(); err != nil {
		return headerEntry{}, err
	}
	sets, err := queryHeaders(ctx, db, c.SQLPath)
	if err != nil {
		why, keep, ferr := unreadableWhy(c, err)
		if ferr != nil {
			return headerEntry{}, ferr
		}
		e := headerEntry{unreadable: why}
		if keep {
			cache.put(key, e)
		}
		return e, nil
	}
	for i := range sets {
		sets[i].File, sets[i].Path, sets[i].DirIndex = c.Name, c.SQLPath, c.DirIndex
	}
	e := headerEntry{sets: sets}
	cache.put(key, e)
	return e, nil
}

// queryHeaders runs RESTORE HEADERONLY and reads its rows by column name.
func queryHeaders(ctx context.Context, db *sql.DB, path string) ([]backupSet, error) {
	rows, err := db.QueryContext(ctx, "RESTORE HEADERONLY FROM DISK = @path", sql.Named("path", path))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []backupSet
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		s, err := parseHeader(cols, vals)
		if err != nil {
			return nil, fmt.Errorf("read the header of %s: %w", path, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// osError finds "Operating system error N" in a 3201 message.
var osError = regexp.MustCompile(`(?i)operating system error (\d+)`)

// unreadableWhy turns a failed RESTORE HEADERONLY into why the file is
// skipped, and whether that holds as long as the file is unchanged
// (cached); or into an error when SQL Server cannot read the folder at
// all, which no file of it would escape.
func unreadableWhy(c candidate, err error) (why string, keep bool, fatal error) {
	switch {
	case sqlserver.Has(err, 3203, 3208):
		return "truncated: a partial copy, or a backup still being written (3203/3208)", true, nil
	case sqlserver.Has(err, 3241, 3242, 3143):
		return "not a SQL Server backup file (3241)", true, nil
	case sqlserver.Has(err, 3183, 3186, 3189):
		return "damaged (3189)", true, nil
	case sqlserver.Has(err, 3169):
		return "written by a newer SQL Server version (3169)", true, nil
	case sqlserver.Has(err, 3201):
		return cannotOpen(c, err)
	}
	return "", false, sqlserver.Classify(fmt.Errorf("read the headers of %s: %w", c.SQLPath, err))
}

// cannotOpen reads the operating system error of a 3201: a file in use
// (32, still being written) or gone (2) is skipped for now; a folder SQL
// Server cannot reach (3, 53, 67) or may not read (5) is an error.
func cannotOpen(c candidate, err error) (string, bool, error) {
	m := osError.FindStringSubmatch(sqlserver.Message(err, 3201))
	code := ""
	if m != nil {
		code = m[1]
	}
	switch code {
	case "32", "33":
		return "in use by another process, as a backup still being written is (3201, OS error " + code + ")", false, nil
	case "2":
		return "gone since the listing (3201, OS error 2)", false, nil
	}
	return "", false, sqlserver.Classify(fmt.Errorf("SQL Server cannot open %s (%s): RESTORE reads the files as the SQL Server "+
		"service account, on the SQL Server host, so dir must name the folder as that host sees it and the account needs "+
		"read access: %w", c.SQLPath, osErrorText(code), err))
}

func osErrorText(code string) string {
	switch code {
	case "3":
		return "OS error 3: the path is not found there"
	case "5":
		return "OS error 5: access is denied"
	case "53", "67":
		return "OS error " + code + ": the network path is not found"
	case "":
		return "3201"
	}
	return "OS error " + code
}

// parseHeader reads one HEADERONLY row by column name: newer servers add
// columns, and unknown ones are ignored. A password-protected set has
// only its BackupName.
func parseHeader(cols []string, vals []any) (backupSet, error) {
	v := make(map[string]any, len(cols))
	for i, c := range cols {
		v[strings.ToLower(c)] = vals[i]
	}
	var s backupSet
	if name, _ := v["backupname"].(string); name == "*** Password Protected ***" {
		s.PasswordProtected = true
		s.Position = int(toInt(v["position"]))
		return s, nil
	}
	for _, need := range []string{"backuptype", "position", "databasename", "firstlsn", "lastlsn"} {
		if _, ok := v[need]; !ok {
			return s, fmt.Errorf("RESTORE HEADERONLY returned no %s column", need)
		}
	}
	s.Type, s.Position = int(toInt(v["backuptype"])), int(toInt(v["position"]))
	s.TypeDesc, _ = v["backuptypedescription"].(string)
	s.Database, _ = v["databasename"].(string)
	s.Server, _ = v["servername"].(string)
	if err := s.FirstLSN.Scan(v["firstlsn"]); err != nil {
		return s, fmt.Errorf("FirstLSN: %w", err)
	}
	if err := s.LastLSN.Scan(v["lastlsn"]); err != nil {
		return s, fmt.Errorf("LastLSN: %w", err)
	}
	s.FirstForkID, s.ForkID, s.SetGUID = guidText(v["firstrecoveryforkid"]), guidText(v["recoveryforkid"]), guidText(v["backupsetguid"])
	s.Start, _ = v["backupstartdate"].(time.Time)
	s.Finish, _ = v["backupfinishdate"].(time.Time)
	s.Damaged, _ = v["isdamaged"].(bool)
	return s, nil
}

// toInt reads an integer column (go-mssqldb gives int64).
func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	}
	return 0
}

// guidText reads a uniqueidentifier: go-mssqldb gives its 16 bytes in
// SQL Server's byte order, which mssql.UniqueIdentifier turns around.
func guidText(v any) string {
	switch g := v.(type) {
	case []byte:
		var u mssql.UniqueIdentifier
		if err := u.Scan(g); err != nil {
			return ""
		}
		return u.String()
	case string:
		return strings.ToUpper(g)
	}
	return ""
}

// sortSkips orders skip notes by file, for stable outputs.
func sortSkips(s []skipped) {
	sort.SliceStable(s, func(i, j int) bool { return s[i].Ref < s[j].Ref })
}
