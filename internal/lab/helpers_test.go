package lab

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/failover-dev/failover/internal/tds"
)

// fakeSession is a tds.Session for handler unit tests.
type fakeSession struct {
	mu     sync.Mutex
	spid   int
	login  tds.Login
	db     string
	tran   bool
	killed bool
	vals   map[string]any
	// onKill, when set, runs as the connection closes: what a client
	// that reconnects at once would find.
	onKill func()
}

func newFakeSession(spid int, db string) *fakeSession {
	return &fakeSession{spid: spid, db: db, vals: map[string]any{},
		login: tds.Login{User: DefaultUser, AppName: "failover-test", HostName: "ADMIN01"}}
}

func (s *fakeSession) SPID() int        { return s.spid }
func (s *fakeSession) Login() tds.Login { return s.login }
func (s *fakeSession) Database() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db
}
func (s *fakeSession) SetDatabase(n string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.db = n
}
func (s *fakeSession) InTransaction() bool      { return s.tran }
func (s *fakeSession) SetTransaction(open bool) { s.tran = open }
func (s *fakeSession) Kill() {
	s.mu.Lock()
	s.killed = true
	onKill := s.onKill
	s.mu.Unlock()
	if onKill != nil {
		onKill()
	}
}
func (s *fakeSession) Value(k string) any       { return s.vals[k] }
func (s *fakeSession) SetValue(k string, v any) { s.vals[k] = v }

func (s *fakeSession) wasKilled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.killed
}

// recWriter records what a handler wrote.
type recWriter struct {
	infos   []tds.Message
	errors  []tds.Message
	results []tds.ResultSet
	dones   int
	status  *int32
}

func (w *recWriter) Info(m tds.Message)    { w.infos = append(w.infos, m) }
func (w *recWriter) Error(m tds.Message)   { w.errors = append(w.errors, m) }
func (w *recWriter) Rows(rs tds.ResultSet) { w.results = append(w.results, rs) }
func (w *recWriter) Done(int64)            { w.dones++ }
func (w *recWriter) ReturnStatus(s int32)  { w.status = &s }
func (w *recWriter) Flush() error          { return nil }
func (w *recWriter) errorNumbers() []int32 {
	out := make([]int32, len(w.errors))
	for i, e := range w.errors {
		out[i] = e.Number
	}
	return out
}

// testLab is an initialised lab dir with its instances built in memory
// (no network).
type testLab struct {
	dir string
	cfg Config
	ins map[string]*instance
}

func newTestLab(t *testing.T, cfg Config) *testLab {
	t.Helper()
	dir := t.TempDir()
	if err := Init(dir, cfg); err != nil {
		t.Fatalf("init: %v", err)
	}
	tl := &testLab{dir: dir, cfg: cfg, ins: map[string]*instance{}}
	for _, ic := range cfg.Instances {
		path := statePath(dir, ic.Name)
		st, err := loadState(path)
		if err != nil {
			t.Fatal(err)
		}
		in := newInstance(st, path, &faultSet{}, nil)
		if err := in.configure(cfg, dir); err != nil {
			t.Fatal(err)
		}
		in.restoreTime = 0
		tl.ins[strings.ToUpper(ic.Name)] = in
	}
	return tl
}

func (tl *testLab) backup() *instance { return tl.ins["BACKUP"] }

// run runs a batch as session s and returns what was written.
func run(t *testing.T, in *instance, s *fakeSession, sql string) *recWriter {
	t.Helper()
	w := &recWriter{}
	in.Batch(context.Background(), s, sql, w)
	return w
}

// open registers a fake session with the instance.
func open(in *instance, spid int, db string) *fakeSession {
	s := newFakeSession(spid, db)
	in.Open(s)
	return s
}

// cell returns row r, column name of the first result set.
func cell(t *testing.T, w *recWriter, r int, name string) any {
	t.Helper()
	if len(w.errors) > 0 {
		t.Fatalf("errors: %v", w.errors)
	}
	if len(w.results) == 0 {
		t.Fatalf("no result set")
	}
	rs := w.results[0]
	for i, c := range rs.Columns {
		if strings.EqualFold(c.Name, name) {
			if r >= len(rs.Rows) {
				t.Fatalf("want row %d, have %d rows", r, len(rs.Rows))
			}
			return rs.Rows[r][i]
		}
	}
	t.Fatalf("no column %q in %v", name, rs.Columns)
	return nil
}

func (tl *testLab) share() string { return tl.cfg.ShareFolder(tl.dir) }

func (tl *testLab) copyDir() string { return tl.cfg.CopyFolder(tl.dir) }

func (tl *testLab) path(name string) string { return filepath.Join(tl.copyDir(), name) }

func quote(s string) string { return "N'" + strings.ReplaceAll(s, "'", "''") + "'" }

func fmtSQL(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// wantSQLResult checks a helper's result against want, or its error
// against the SQL Server error number wantErr when that is not 0.
func wantSQLResult(t *testing.T, what string, got any, err error, want any, wantErr int32) {
	t.Helper()
	if wantErr != 0 {
		se, ok := err.(*sqlError)
		if !ok || se.msgs[0].Number != wantErr {
			t.Fatalf("err = %v, want %d", err, wantErr)
		}
		return
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, %v; want %#v", what, got, err, want)
	}
}
