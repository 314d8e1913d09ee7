//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/internal/etcdtest"
	"github.com/failover-dev/failover/plans"
)

// TestStateURLWithAPasswordIsRefused: a password never goes on the
// command line; the refusal does not repeat it, and nothing connects.
func TestStateURLWithAPasswordIsRefused(t *testing.T) {
	code, out, errOut := cli(t, "--state", "etcd://failover:hunter2@127.0.0.1:1/f", "status")
	if code != exitUsage || !strings.Contains(errOut, "holds a password: refused") ||
		!strings.Contains(errOut, "FAILOVER_ETCD_PASSWORD") || strings.Contains(out+errOut, "hunter2") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, _, errOut = cli(t, "--state", "/srv/failover", "status")
	if code != exitUsage || !strings.Contains(errOut, "a local directory is --state-dir") {
		t.Errorf("--state of a directory: exit %d, %s", code, errOut)
	}
}

// streamCLI runs the CLI in the background and hands its standard output
// line by line; the exit code comes on the second channel.
func streamCLI(t *testing.T, args ...string) (<-chan string, <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	var errb syncBuffer
	a := newApp(strings.NewReader(""), pw, &errb)
	root := newRootCmd(a)
	root.SetArgs(args)
	ctx, cancel := context.WithCancel(context.Background())
	codeCh := make(chan int, 1)
	go func() {
		err := root.ExecuteContext(ctx)
		a.closeState()
		if err != nil {
			t.Logf("%v: %v\n%s", args, err, errb.String())
		}
		codeCh <- exitCode(err)
		pw.Close()
	}()
	linesCh := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			linesCh <- sc.Text()
		}
		close(linesCh)
	}()
	t.Cleanup(func() {
		cancel()
		for range linesCh {
		}
	})
	return linesCh, codeCh
}

// nextLine waits for a line of lines that matches; it fails the test
// when the stream ends first or nothing comes for a minute.
func nextLine(t *testing.T, lines <-chan string, what string, match func(string) bool) string {
	t.Helper()
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the output ended before %s", what)
			}
			if match(l) {
				return l
			}
		case <-time.After(time.Minute):
			t.Fatalf("no %s within a minute", what)
		}
	}
}

// watchedView is what status --watch --format json says, in part.
type watchedView struct {
	RunID string `json:"run"`
	State string `json:"state"`
	Host  string `json:"host"`
	Steps []struct {
		ID    string `json:"step"`
		State string `json:"state"`
	} `json:"steps"`
}

func view(l string) (watchedView, bool) {
	var v watchedView
	return v, json.Unmarshal([]byte(l), &v) == nil && v.RunID != ""
}

const watchedPlan = `version: 1
name: watched
steps:
  - id: first
    action: exec.run
    with: { program: sh, args: ['-c', 'true'] }
  - id: gate
    action: exec.run
    needs: [first]
    timeout: 1m
    with: { program: sh, args: ['-c', 'while [ ! -f release ]; do sleep 0.02; done'] }
`

// TestWatchShowsAnotherHostsRun: status --watch, started before the run,
// waits for it, shows it running on another host (host-a) step by step
// as it goes, and ends once it succeeded — on etcd through a watch of
// its keys, in a state dir by looking at the files.
func TestWatchShowsAnotherHostsRun(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	for _, name := range []string{"etcd", "local"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			plan := writeFile(t, dir, "plan.yaml", watchedPlan)
			st := localState(dir)
			var b store.Backend = store.NewLocal(st.where, nil)
			if name == "etcd" {
				st = etcdStateOn(t, c)
				prefix := st.where[strings.LastIndex(st.where, "/"):]
				b = etcdstore.New(c.Client(t, c.Members[2].ClientAddr), prefix, 5*time.Second)
			}
			lines, codeCh := streamCLI(t, st.with("status", "--watch", "watched", "--format", "json")...)
			nextLine(t, lines, "the wait for a run", func(l string) bool { return strings.HasPrefix(l, "waiting for a run of plan watched") })
			runErr := make(chan error, 1)
			go func() { runErr <- runAs(t, b, plan, "host-a") }()
			l := nextLine(t, lines, "the gate running on host-a", func(l string) bool {
				v, ok := view(l)
				return ok && v.State == "running" && v.Host == "host-a" && len(v.Steps) == 2 &&
					v.Steps[0].State == "succeeded" && v.Steps[1].State == "running"
			})
			t.Logf("seen: %s", l)
			writeFile(t, dir, "release", "")
			nextLine(t, lines, "the run succeeded", func(l string) bool { v, ok := view(l); return ok && v.State == "succeeded" })
			if err := <-runErr; err != nil {
				t.Fatalf("the run on host-a: %v", err)
			}
			select {
			case code := <-codeCh:
				if code != exitOK {
					t.Errorf("the watch ended with exit %d, want 0", code)
				}
			case <-time.After(time.Minute):
				t.Fatal("the watch did not end with the run")
			}
		})
	}
}

// runAs applies plan on backend b as host.
func runAs(t *testing.T, b store.Backend, plan, host string) error {
	p, diags := plans.Load(plan, plans.Options{Registry: builtin.New()})
	if diags.HasErrors() {
		return errors.New(diags[0].Message)
	}
	_, err := engine.Run(context.Background(), engine.Config{Plan: p, Registry: builtin.New(), State: b, Host: host,
		Log: zerolog.Nop()})
	return err
}

// TestStatePush: runs of a state dir are copied to etcd, where status
// and report read them; pushing again changes nothing; a different run
// under the same id is refused, never overwritten; a running one is not
// pushed; the local files stay.
func TestStatePush(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "plan.yaml", backendsPlan)
	local, shared := localState(dir), etcdStateOn(t, c)
	both := append(append([]string(nil), local.args...), shared.args...)
	if code, _, errOut := cli(t, local.with("apply", "plan.yaml", "--yes")...); code != exitFailed {
		t.Fatalf("apply: exit %d\n%s", code, errOut)
	}
	runs, err := store.NewLocal(local.where, nil).List("")
	if err != nil || len(runs) != 1 {
		t.Fatalf("local runs: %v, %v", runs, err)
	}
	id := runs[0].RunID
	before, _ := os.ReadFile(runs[0].Path)
	for i, want := range []string{"shared " + id + ": pushed: 9 record(s)", "shared " + id + ": already there"} {
		code, out, errOut := cli(t, append(both, "state", "push")...)
		if code != exitOK || !strings.Contains(out, want) {
			t.Fatalf("push %d: exit %d, want %q\nstdout:\n%s\nstderr:\n%s", i+1, code, want, out, errOut)
		}
	}
	for _, args := range [][]string{{"status", "shared"}, {"report", id}} {
		_, localOut, _ := cli(t, local.with(args...)...)
		code, out, errOut := cli(t, shared.with(args...)...)
		if code != exitOK || !strings.Contains(out, id) || !strings.Contains(out, "failed") {
			t.Errorf("%v on etcd: exit %d\n%s\n%s", args, code, out, errOut)
		}
		if args[0] == "status" && out != localOut {
			t.Errorf("status differs:\nlocal:\n%s\netcd:\n%s", localOut, out)
		}
	}
	if after, _ := os.ReadFile(runs[0].Path); string(after) != string(before) {
		t.Error("push changed the local journal")
	}
	// Resume on etcd, then push again: etcd holds more of the run.
	writeFile(t, dir, "go", "")
	if code, _, errOut := cli(t, shared.with("resume", "plan.yaml", "--yes")...); code != exitOK {
		t.Fatalf("resume on etcd: exit %d\n%s", code, errOut)
	}
	if code, out, _ := cli(t, append(both, "state", "push")...); code != exitOK || !strings.Contains(out, "already there") {
		t.Errorf("push after the run went on on etcd: exit %d\n%s", code, out)
	}
	// A different run under an id the store holds is refused.
	other := filepath.Join(t.TempDir(), "other")
	otherRun(t, other, id)
	code, out, _ := cli(t, "--state-dir", other, "--state", shared.where, "state", "push")
	if code != exitFailed || !strings.Contains(out, "not pushed: ") || !strings.Contains(out, etcdstore.ErrDifferentRun.Error()) {
		t.Errorf("push of a different run with the same id: exit %d\n%s", code, out)
	}
	if code, _, errOut := cli(t, local.with("state", "push")...); code != exitUsage || !strings.Contains(errOut, "--state etcd://") {
		t.Errorf("push without --state: exit %d, %s", code, errOut)
	}
}

// otherRun writes to state dir dir a run of plan shared with id whose
// journal differs from any other's.
func otherRun(t *testing.T, dir, id string) {
	t.Helper()
	b := store.NewLocal(dir, nil)
	h, err := b.Acquire("shared", lock.Info{RunID: id})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	w, err := b.Create(journal.Header{PlanName: "shared", RunID: id, PlanHash: "another"}, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestUnlockOnEtcd: unlock of a run whose lease is alive on another host
// warns that it may be running, and once confirmed revokes the lease: the
// holder sees its lock lost and can append nothing more.
func TestUnlockOnEtcd(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	st := etcdStateOn(t, c)
	prefix := st.where[strings.LastIndex(st.where, "/"):]
	s := etcdstore.New(c.Client(t), prefix, 5*time.Second)
	id := journal.NewRunID(time.Now())
	h, err := s.Acquire("held", lock.Info{RunID: id, User: "alice", Host: "host-a", PID: 4242})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Create(journal.Header{PlanName: "held", RunID: id}, h)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, st.with("unlock", "held", "--run", id, "--yes")...)
	if code != exitOK || !strings.Contains(out, "WARNING: its lease is alive: that run renews it from host-a") ||
		!strings.Contains(out, "Lock broken; continue the run with `failover resume held`") {
		t.Fatalf("unlock: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for deadline := time.Now().Add(10 * time.Second); !errors.Is(h.Err(), lock.ErrLost); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the holder did not see its lock lost")
		}
	}
	if _, err := w.AppendSync(journal.Record{Type: "step-started", Step: "x"}); !errors.Is(err, lock.ErrLost) {
		t.Errorf("the holder appended after its lock was broken: %v", err)
	}
}

// TestStatePushDamaged: a journal with a torn last record is pushed
// without it, and says so; one corrupt before good records is not
// pushed, and the way on is named.
func TestStatePushDamaged(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "plan.yaml", backendsPlan)
	local := localState(dir)
	if code, _, errOut := cli(t, local.with("apply", "plan.yaml", "--yes")...); code != exitFailed {
		t.Fatalf("apply: exit %d\n%s", code, errOut)
	}
	runs, err := store.NewLocal(local.where, nil).List("")
	if err != nil || len(runs) != 1 {
		t.Fatalf("local runs: %v, %v", runs, err)
	}
	good, err := os.ReadFile(runs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	push := func() (int, string) {
		code, out, _ := cli(t, append(append([]string(nil), local.args...), append(etcdStateOn(t, c).args, "state", "push")...)...)
		return code, out
	}
	// A torn tail: the first bytes of a frame that was never finished.
	if err := os.WriteFile(runs[0].Path, append(append([]byte(nil), good...), 0x20, 0, 0), 0o600); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("pushed: 9 record(s) (its torn last record at offset %d left out)", len(good))
	if code, out := push(); code != exitOK || !strings.Contains(out, want) {
		t.Errorf("push of a torn tail: exit %d, want %q\n%s", code, want, out)
	}
	flipByte(t, runs[0].Path, len(good)/2)
	if code, out := push(); code != exitFailed || !strings.Contains(out, "not pushed: ") ||
		!strings.Contains(out, "repair it first (`failover journal repair "+runs[0].RunID+"`)") {
		t.Errorf("push of a corrupt journal: exit %d\n%s", code, out)
	}
}
