package logship

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// winCopy is the lab's copy folder as SQL Server names it; winShare the
// backup share.
const (
	winCopy  = `D:\LSCopy\mgc`
	winShare = `\\DC1-FS01\LSBackup`
)

// labCase is a lab served for one test with the scenario switches sc,
// and logship.apply params for its copy folder.
type labCase struct {
	lab *sqltest.Lab
	env *actions.Env
	p   *ApplyParams
}

func newLabCase(t *testing.T, change func(*lab.Config)) *labCase {
	t.Helper()
	cfg := lab.DefaultConfig()
	cfg.RestoreTime = time.Millisecond // the tests wait for no simulated disk
	if change != nil {
		change(&cfg)
	}
	l := sqltest.Start(t, cfg)
	return &labCase{lab: l, env: l.Env(t, "BACKUP"),
		p: &ApplyParams{Database: "mgc", Dir: winCopy, LocalDir: l.CopyFolder(), Mode: "NORECOVERY"}}
}

// bothDirs makes the params read the copy folder and the share.
func (lc *labCase) bothDirs() {
	lc.p.Dir, lc.p.LocalDir = "", ""
	lc.p.Dirs = []string{winCopy, winShare}
	lc.p.LocalDirs = []string{lc.lab.CopyFolder(), lc.lab.ShareFolder()}
}

// copyShare copies every file of the share into the copy folder, as
// fs.copy does.
func (lc *labCase) copyShare(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(lc.lab.ShareFolder())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(lc.lab.ShareFolder(), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lc.lab.CopyFolder(), e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (lc *labCase) run(t *testing.T) (map[string]any, error) {
	t.Helper()
	if err := validateApply(lc.p); err != nil {
		t.Fatalf("params: %v", err)
	}
	return applyAction{}.Run(context.Background(), lc.env, lc.p)
}

func (lc *labCase) mustRun(t *testing.T) map[string]any {
	t.Helper()
	out, err := lc.run(t)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return out
}

// state reads mgc's state on the backup instance through a side session.
func (lc *labCase) state(t *testing.T) sqlserver.DatabaseState {
	t.Helper()
	st, err := sqlserver.ReadDatabaseState(context.Background(), lc.lab.DB(t, "BACKUP"), "mgc")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// restores returns the RESTORE LOG statements logged since mark, as the
// device of each ("path#position", from the rpc line's parameters).
func (lc *labCase) restores(t *testing.T, mark int) []string {
	t.Helper()
	var out []string
	for _, s := range lc.lab.Since(t, mark) {
		if !strings.Contains(s.Text, "RESTORE LOG") || s.Kind == "dynamic" || s.Kind == "fault" {
			continue
		}
		out = append(out, s.Text)
	}
	return out
}

// strs turns an output list into strings.
func strs(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

// hasPrefixIn reports whether some entry of list starts with prefix.
func hasPrefixIn(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
