package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// faultFS is the real file system, except that it fails the n-th write or
// the n-th sync of journal files once (counting from 1).
type faultFS struct {
	journal.OSFS
	mu                  sync.Mutex
	failWrite, failSync int
	writes, syncs       int
	failed              bool // guarded by mu: the fault has fired
}

type faultFile struct {
	*os.File
	fs *faultFS
}

var errInjected = errors.New("injected disk failure")

func (f *faultFS) OpenFile(name string, flag int, perm os.FileMode) (journal.File, error) {
	file, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(name, journal.Extension) {
		// The sync mark beside the journal is not counted: its failures
		// are warnings (see TestSyncMarkFailureOnlyWarns).
		return file, nil
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFS) hasFailed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (ff *faultFile) Write(p []byte) (int, error) {
	f := ff.fs
	f.mu.Lock()
	f.writes++
	fire := f.writes == f.failWrite
	f.failed = f.failed || fire
	f.mu.Unlock()
	if fire {
		// Half the frame reaches the file: a torn record.
		n, _ := ff.File.Write(p[:len(p)/2])
		return n, errInjected
	}
	return ff.File.Write(p)
}

func (ff *faultFile) Sync() error {
	f := ff.fs
	f.mu.Lock()
	f.syncs++
	fire := f.syncs == f.failSync
	f.failed = f.failed || fire
	f.mu.Unlock()
	if fire {
		return errInjected
	}
	return ff.File.Sync()
}

func TestJournalFailureStopsTheRun(t *testing.T) {
	type fault struct{ write, sync int }
	var tests []fault
	// Write 1 and sync 1 are the header's: Create fails. Every later one
	// is a record of the run.
	for n := 1; n <= 9; n++ {
		tests = append(tests, fault{write: n}, fault{sync: n})
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("write %d sync %d", tt.write, tt.sync), func(t *testing.T) {
			rc := newRecorder()
			p := newPlan(step("a", nil, nil), step("b", []string{"a"}, nil), step("c", []string{"b"}, nil), step("d", []string{"c"}, nil))
			cfg := testConfig(t, p, rc)
			fs := &faultFS{failWrite: tt.write, failSync: tt.sync}
			cfg.FS = fs
			var ranAfter []string
			rc.onStart = func(id string) {
				if fs.hasFailed() {
					ranAfter = append(ranAfter, id)
				}
			}
			sum, err := Run(context.Background(), cfg)
			if !fs.hasFailed() {
				if err != nil {
					t.Fatalf("no fault fired, yet: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "journal") {
				t.Fatalf("err = %v, want a journal error wrapping the disk failure", err)
			}
			if ExitCode(err) != ExitFailed {
				t.Errorf("exit %d, want 1", ExitCode(err))
			}
			if len(ranAfter) > 0 {
				t.Errorf("steps %v started after the journal failed", ranAfter)
			}
			// The end-of-run table says what the journal says: a step whose
			// success record did not reach it is not shown succeeded.
			if sum != nil {
				rep, rerr := journal.Read(journal.OSFS{}, sum.JournalPath)
				if rep == nil {
					t.Fatalf("read journal: %v", rerr)
				}
				for _, want := range Fold(rep).Results([]string{"a", "b", "c", "d"}, false) {
					if got := sum.Step(want.ID); got.State != want.State {
						t.Errorf("summary says %s %s, the journal %s", want.ID, got.State, want.State)
					}
				}
			}
		})
	}
}

func TestSecretsNeverReachTheJournal(t *testing.T) {
	const secret = "Tr0ub4dor&3-very-secret"
	rc := newRecorder()
	leak := map[string]any{"fail": 1, "class": "retryable", "echo": "${secrets.pw}",
		"out": map[string]any{"dsn": "user=sa;password=${secrets.pw}", "list": []any{"${secrets.pw}"}}}
	a := step("a", nil, leak)
	a.Retry = plans.Retry{Attempts: 2}
	b := step("b", []string{"a"}, map[string]any{"fail": 1, "echo": "pw=${secrets.pw}"})
	p := newPlan(a, b)
	p.Secrets["pw"] = &plans.Secret{Name: "pw", Env: "PW"}
	cfg := testConfig(t, p, rc)
	cfg.LookupEnv = func(k string) (string, bool) { return secret, k == "PW" }
	sum, err := Run(context.Background(), cfg)
	if ExitCode(err) != ExitFailed {
		t.Fatalf("err = %v, want b failed", err)
	}
	if rc.echoes["a"] != secret {
		t.Errorf("the action got %q, want the secret's value", rc.echoes["a"])
	}
	raw, rerr := os.ReadFile(sum.JournalPath)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if strings.Contains(string(raw), secret) {
		t.Errorf("the journal holds the secret value")
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprint(sum.Step("a").Outputs), secret) {
		t.Errorf("the error or the outputs hold the secret value")
	}
	if got := sum.Step("a").Outputs["dsn"]; got != "user=sa;password=***" {
		t.Errorf("masked output %q", got)
	}
}

func TestMissingSecretsAndEnvCannotRun(t *testing.T) {
	rc := newRecorder()
	p := newPlan(step("a", nil, map[string]any{"echo": "${secrets.pw} ${env.SITE} ${secrets.key}"}))
	p.Secrets["pw"] = &plans.Secret{Name: "pw", Env: "PW"}
	p.Secrets["key"] = &plans.Secret{Name: "key", File: "missing.key"}
	cfg := testConfig(t, p, rc)
	cfg.ReadFile = func(string) ([]byte, error) { return nil, os.ErrNotExist }
	_, err := Run(context.Background(), cfg)
	if ExitCode(err) != ExitCannotRun {
		t.Fatalf("err = %v, want exit 2", err)
	}
	for _, want := range []string{"PW is not set", "SITE is not set", "missing.key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if len(rc.calls) != 0 {
		t.Errorf("steps ran: %v", rc.calls)
	}
}
