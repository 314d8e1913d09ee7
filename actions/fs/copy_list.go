package fs

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// partialSuffix ends the name of a file being copied. The name begins
// with a dot too, so neither a log shipping pattern (mgc_*.trn) nor a
// restore picks it up, and a listing never takes it for a source file.
const partialSuffix = ".failover-partial"

// mtimeWindow is how far two modification times may differ and still
// count as the same: FAT keeps 2 seconds, and a share may round. A log
// backup is never rewritten in place with the same size within it.
const mtimeWindow = 2 * time.Second

// srcEntry is one source file the patterns take.
type srcEntry struct {
	// rel is the path below from, with slashes.
	rel   string
	path  string
	size  int64
	mtime time.Time
}

// fileDecision is a source file and what its destination says about it.
type fileDecision struct {
	srcEntry
	dst string
	// why it is copied ("missing at the destination", …); "" when the
	// destination already has it.
	why string
}

// skipNote is a source file not copied, and why.
type skipNote struct {
	rel, why string
}

// copyPlan is what a scan found: the files to copy, those the
// destination already has, those skipped with a reason, and the partial
// files of an earlier interrupted copy.
type copyPlan struct {
	toCopy   []fileDecision
	upToDate []string
	skipped  []skipNote
	bytes    int64
	partials []string
}

// listSource walks from and returns the files the patterns take, in name
// order, and the entries it skips (links to directories, special files).
// A symbolic link is followed only when it points inside from; one that
// points outside is an error: its name would copy a file the plan never
// named.
func (c *copier) listSource() ([]srcEntry, []skipNote, error) {
	var out []srcEntry
	var notes []skipNote
	deep := recursive(c.p.Include)
	var walk func(dir, rel string) error
	walk = func(dir, rel string) error {
		entries, err := c.fs.ReadDir(dir)
		switch {
		case errors.Is(err, iofs.ErrPermission):
			return fmt.Errorf("list %s: permission denied: the account running failover needs read access: %w", dir, err)
		case err != nil:
			return &unreachableError{from: c.p.From, err: fmt.Errorf("list %s: %w", dir, err)}
		}
		c.alive()
		for _, e := range entries {
			name := e.Name()
			r := path.Join(rel, name)
			full := filepath.Join(dir, name)
			switch {
			case isPartial(name):
				continue
			case e.IsDir():
				if deep {
					if err := walk(full, r); err != nil {
						return err
					}
				}
				continue
			case !c.match.match(r):
				continue
			}
			ent, note, err := c.sourceEntry(full, r, e)
			switch {
			case err != nil:
				return err
			case note != "":
				notes = append(notes, skipNote{rel: r, why: note})
			default:
				out = append(out, ent)
			}
		}
		return nil
	}
	if err := walk(c.from, ""); err != nil {
		return nil, nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, notes, nil
}

// sourceEntry describes one listed name: a regular file, a link followed
// inside from, or a note saying why it is skipped.
func (c *copier) sourceEntry(full, rel string, e iofs.DirEntry) (srcEntry, string, error) {
	fi, err := e.Info()
	if errors.Is(err, iofs.ErrNotExist) {
		return srcEntry{}, "vanished from the source while it was listed", nil
	}
	if err != nil {
		return srcEntry{}, "", fmt.Errorf("look at %s: %w", full, err)
	}
	if fi.Mode()&iofs.ModeSymlink != 0 {
		return c.followLink(full, rel)
	}
	if !fi.Mode().IsRegular() {
		return srcEntry{}, "not a regular file", nil
	}
	return srcEntry{rel: rel, path: full, size: fi.Size(), mtime: fi.ModTime()}, "", nil
}

// followLink resolves a symbolic link in the source: inside from it is
// copied as the file it points to; outside from it is refused.
func (c *copier) followLink(full, rel string) (srcEntry, string, error) {
	target, err := c.fs.EvalSymlinks(full)
	if err != nil {
		// EvalSymlinks counts links itself; the kernel says ELOOP.
		_, serr := c.fs.Stat(full)
		if isLocked(serr) {
			err = serr
		}
	}
	switch {
	case isLocked(err):
		// Listed as it is: opening it fails as for a file in use, and
		// the copy retries it.
		fi, _ := c.fs.Lstat(full)
		return srcEntry{rel: rel, path: full, size: sizeOf(fi), mtime: mtimeOf(fi)}, "", nil
	case err != nil:
		return srcEntry{}, "a broken symbolic link", nil
	}
	if !within(c.foldKey(filepath.ToSlash(target)), c.foldKey(c.fromReal)) {
		return srcEntry{}, "", fmt.Errorf("source %s is a symbolic link to %s, outside from (%s): refusing to copy a file the plan does not name: %w",
			full, target, c.from, errEscapes)
	}
	fi, err := c.fs.Stat(full)
	switch {
	case err != nil:
		return srcEntry{}, "", fmt.Errorf("look at %s: %w", full, err)
	case fi.IsDir():
		return srcEntry{}, "a symbolic link to a directory (not followed)", nil
	case !fi.Mode().IsRegular():
		return srcEntry{}, "a link to something that is not a regular file", nil
	}
	return srcEntry{rel: rel, path: full, size: fi.Size(), mtime: fi.ModTime()}, "", nil
}

// foldKey lower-cases a path where names are case-insensitive.
func (c *copier) foldKey(p string) string {
	if c.fold {
		return strings.ToLower(p)
	}
	return p
}

func isPartial(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, partialSuffix)
}

// decide compares each source file with its destination.
func (c *copier) decide(files []srcEntry) (copyPlan, error) {
	var plan copyPlan
	for _, f := range files {
		dst := filepath.Join(c.to, filepath.FromSlash(f.rel))
		why, err := c.compare(f, dst)
		if err != nil {
			return copyPlan{}, err
		}
		if why == "" {
			plan.upToDate = append(plan.upToDate, f.rel)
			continue
		}
		plan.toCopy = append(plan.toCopy, fileDecision{srcEntry: f, dst: dst, why: why})
		plan.bytes += f.size
	}
	return plan, nil
}

// compare says why f must be copied to dst, or "" when dst has it: same
// size and the same modification time (within mtimeWindow).
func (c *copier) compare(f srcEntry, dst string) (string, error) {
	fi, err := c.fs.Lstat(dst)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		return "missing at the destination", nil
	case err != nil:
		return "", fmt.Errorf("look at destination %s: %w", dst, err)
	case fi.IsDir():
		return "", fmt.Errorf("destination %s is a directory, but %s is a file in the source", dst, f.path)
	case fi.Mode()&iofs.ModeSymlink != 0:
		return "a symbolic link at the destination (replaced by the file)", nil
	case fi.Size() != f.size:
		return fmt.Sprintf("size differs (%d bytes at the destination, %d at the source)", fi.Size(), f.size), nil
	}
	d := fi.ModTime().Sub(f.mtime)
	if d > mtimeWindow || d < -mtimeWindow {
		return fmt.Sprintf("modified at another time (%s at the destination, %s at the source)",
			fi.ModTime().UTC().Format(time.RFC3339), f.mtime.UTC().Format(time.RFC3339)), nil
	}
	return "", nil
}

// findPartials lists the partial files an interrupted copy left in the
// destination directories of the listed files: a later copy of the same
// file removes them (one run of a plan at a time holds the lock, so none
// of them is being written).
func (c *copier) findPartials(files []srcEntry) []string {
	dirs := map[string]bool{}
	want := map[string]bool{}
	for _, f := range files {
		dir := filepath.Join(c.to, filepath.FromSlash(path.Dir(f.rel)))
		dirs[dir] = true
		want[c.foldKey(filepath.Join(dir, path.Base(f.rel)))] = true
	}
	var out []string
	for dir := range dirs {
		entries, err := c.fs.ReadDir(dir)
		if err != nil {
			continue // a missing destination directory holds no partials
		}
		for _, e := range entries {
			n := e.Name()
			if !isPartial(n) {
				continue
			}
			if base, ok := partialOf(n); ok && want[c.foldKey(filepath.Join(dir, base))] {
				out = append(out, filepath.Join(dir, n))
			}
		}
	}
	sort.Strings(out)
	return out
}

// partialOf returns the file name a partial file stands for:
// ".NAME.RANDOM.failover-partial" → NAME.
func partialOf(partial string) (string, bool) {
	s := strings.TrimSuffix(strings.TrimPrefix(partial, "."), partialSuffix)
	i := strings.LastIndexByte(s, '.')
	if i <= 0 {
		return "", false
	}
	return s[:i], true
}

// tempPattern is the os.CreateTemp pattern of a partial copy of name.
func tempPattern(name string) string { return "." + name + ".*" + partialSuffix }

func sizeOf(fi iofs.FileInfo) int64 {
	if fi == nil {
		return 0
	}
	return fi.Size()
}

func mtimeOf(fi iofs.FileInfo) time.Time {
	if fi == nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// dirOf is the destination directory of a file.
func (c *copier) dirOf(rel string) string {
	return filepath.Dir(filepath.Join(c.to, filepath.FromSlash(rel)))
}
