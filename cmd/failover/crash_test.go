//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/internal/etcdtest"
)

// The crash test applies testdata/crash/plan.yaml — exec.run steps that
// append their id to a ledger file — in a helper process (this test
// binary with FAILOVER_TEST_MAIN=1), SIGKILLs it at 50 or more moments,
// and resumes each time, acting as an operator on in-doubt steps: it looks
// in the ledger and answers --mark-done when the step's line is there,
// --retry when it is not. Kills land in resumes too, those carrying the
// operator's --mark-done and --retry included, and with four chains at
// --parallelism 4 several steps are killed at once: each must then be in
// doubt. At the end every step that is not idempotent ran exactly once and
// the run completed.
func TestCrashAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test spawns hundreds of processes")
	}
	crashAndResume(t, 100, 40, localCrash)
}

// localCrash keeps a crash test's runs in the state dir under dir.
func localCrash(dir string) crashState {
	d := filepath.Join(dir, "state")
	return crashState{b: store.NewLocal(d, nil), env: []string{"FAILOVER_STATE_DIR=" + d}}
}

// TestCrashAndResumeOnEtcd is the crash test with the state on a
// three-member etcd cluster, and every invocation on another host
// (FAILOVER_HOST): after a kill, the next host's resume finds the lock
// held by the dead host's lease, waits for the lease to end (2s), takes
// the lock over and goes on; the operator answers from that host.
func TestCrashAndResumeOnEtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test spawns hundreds of processes")
	}
	c := etcdtest.Start(t, etcdtest.Options{})
	cli := c.Client(t)
	crashAndResume(t, 30, 12, func(dir string) crashState {
		prefix := "/crash-" + filepath.Base(filepath.Dir(dir)) + "-" + filepath.Base(dir)
		s := etcdstore.New(cli, prefix, 5*time.Second)
		return crashState{b: s, shared: s, env: []string{"FAILOVER_STATE=" + c.URL(prefix), "FAILOVER_LOCK_LEASE=2s"}}
	})
}

// crashState is where a crash test's runs are kept.
type crashState struct {
	// b is the backend, for the operator's look at the run.
	b store.Backend
	// env puts every invocation's state there.
	env []string
	// shared is set on etcd: every invocation is another host.
	shared *etcdstore.Store
}

// crashAndResume drives rounds of whole runs with kills until wantKills,
// then checks that the kills landed at minDistinct journal lengths at
// least, and that some left two steps in doubt at once.
func crashAndResume(t *testing.T, wantKills, minDistinct int, state func(dir string) crashState) {
	src, err := os.ReadFile("testdata/crash/plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	moments := map[string]bool{}
	kills, answers, invocations, maxInDoubt, waits := 0, 0, 0, 0, 0
	// Rounds of one whole run each (apply, kills, resumes) until the kills
	// add up: one run of this plan takes about as long as a few kills.
	for round := 1; kills < wantKills; round++ {
		dir := t.TempDir()
		ledger := filepath.Join(dir, "ledger")
		plan := filepath.Join(dir, "plan.yaml")
		if err := os.WriteFile(plan, bytes.ReplaceAll(src, []byte("LEDGER"), []byte(ledger)), 0o644); err != nil {
			t.Fatal(err)
		}
		c := &crasher{t: t, dir: dir, plan: plan, ledger: ledger, rnd: rnd, moments: map[int]bool{}, budget: wantKills - kills,
			st: state(dir)}
		c.drive()
		c.checkLedger()
		kills, answers, invocations = kills+c.kills, answers+c.answers, invocations+c.invocations
		maxInDoubt, waits = max(maxInDoubt, c.maxInDoubt), waits+c.waits
		for m := range c.moments {
			moments[fmt.Sprint(round, "/", m)] = true
		}
	}
	distinct := map[int]bool{}
	for m := range moments {
		var round, recs int
		fmt.Sscanf(m, "%d/%d", &round, &recs)
		distinct[recs] = true
	}
	if len(distinct) < minDistinct {
		t.Errorf("kills landed at only %d distinct journal lengths", len(distinct))
	}
	if maxInDoubt < 2 {
		t.Errorf("no kill left two parallel steps in doubt at once (at most %d)", maxInDoubt)
	}
	t.Logf("%d kills at %d distinct journal lengths (%d distinct round/length pairs), %d operator answers, "+
		"at most %d steps in doubt at once, %d invocations, %d waits for a dead host's lease", kills, len(distinct),
		len(moments), answers, maxInDoubt, invocations, waits)
}

type crasher struct {
	t                 *testing.T
	dir, plan, ledger string
	rnd               *rand.Rand
	kills, answers    int
	invocations       int
	moments           map[int]bool // journal record counts at the kills
	budget            int          // kills this round may still make
	// maxInDoubt is the most steps in doubt at once: parallel steps
	// killed together must all be in doubt, none redone or skipped.
	maxInDoubt int
	st         crashState
	// waits counts the resumes that waited for a dead host's lease.
	waits int
}

// drive runs apply, then resume until the run completes.
func (c *crasher) drive() {
	t := c.t
	args := []string{"apply", c.plan, "--auto-approve", "--parallelism", "4"}
	for c.invocations < 2000 {
		c.invocations++
		kill := killAt{never: true}
		if c.kills < c.budget {
			kill = c.pickKill()
		}
		code, stderr, killed := c.invoke(args, kill)
		switch {
		case killed:
			c.kills++
			c.moments[c.journalRecords()] = true
			args = []string{"resume", c.plan}
		case code == 0:
			return
		case code == 2 && strings.Contains(stderr, "has finished; nothing to resume"):
			// Killed after the run's end was journaled.
			return
		case code == 3:
			args = c.answer()
		case code == 2 && strings.Contains(stderr, "no run of plan"):
			// Killed before the journal existed: start again.
			args = []string{"apply", c.plan, "--auto-approve", "--parallelism", "4"}
		case code == 2 && c.st.shared != nil && strings.Contains(stderr, "keeps its lease"):
			// The host just killed holds the lock until its lease ends:
			// this host waits for that, then does the same again.
			c.waitLease()
		case code == 1 && strings.Contains(stderr, "lost the plan's lock"):
			// Not renewed in time on a loaded machine: the run stopped
			// before its lease could end; a resume goes on.
			args = []string{"resume", c.plan}
		default:
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	t.Fatalf("the run did not complete after %d invocations", c.invocations)
}

// killAt is when invoke kills the CLI's process group: once the run's
// journal holds records records, then after jitter (a moment between two
// records); with records < 0, jitter after the start (a kill before the
// journal exists, or while it is opened). Waiting for the journal rather
// than a time makes where the kills land the same on a fast machine and
// a loaded one.
type killAt struct {
	never   bool
	records int
	jitter  time.Duration
}

// pickKill picks the next kill: mostly a journal length up to 40 records
// past where the run is now, sometimes a moment in the first 20ms.
func (c *crasher) pickKill() killAt {
	if c.rnd.IntN(8) == 0 {
		return killAt{records: -1, jitter: time.Duration(c.rnd.IntN(20000)) * time.Microsecond}
	}
	return killAt{records: max(c.journalRecords(), 0) + c.rnd.IntN(40),
		jitter: time.Duration(c.rnd.IntN(2000)) * time.Microsecond}
}

// invoke runs the CLI in its own process group and SIGKILLs the whole
// group when kill says.
func (c *crasher) invoke(args []string, kill killAt) (int, string, bool) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "FAILOVER_TEST_MAIN=1"), c.st.env...)
	if c.st.shared != nil {
		// Every invocation is another host: no resume ever takes the
		// lock of a dead process of its own host.
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=host-%d", lock.HostEnv, c.invocations))
	}
	cmd.Dir = c.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	if !kill.never {
		done, killer := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(killer)
			for kill.records >= 0 && c.journalRecords() < kill.records {
				select {
				case <-done:
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
			select {
			case <-done:
			case <-time.After(kill.jitter):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		}()
		defer func() { close(done); <-killer }()
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1, stderr.String(), true
		}
		return ee.ExitCode(), stderr.String(), false
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return 0, stderr.String(), false
}

// answer acts as the operator on the in-doubt steps of the run: a step
// whose line is in the ledger happened (--mark-done), else --retry.
func (c *crasher) answer() []string {
	// exec.run starts each step in its own process group, which the kill
	// of ours does not reach: an orphaned step may still be writing. An
	// operator would make sure it is gone before looking; so do we.
	c.waitOrphans()
	rs := c.fold()
	done := c.ledgerCounts()
	args := []string{"resume", c.plan}
	for id, st := range rs.Steps {
		if st.State != engine.StateInDoubt {
			continue
		}
		c.answers++
		if done[id] > 0 {
			args = append(args, "--mark-done", id)
		} else {
			args = append(args, "--retry", id)
		}
	}
	if len(args) == 2 {
		c.t.Fatalf("exit 3 with no in-doubt step")
	}
	c.maxInDoubt = max(c.maxInDoubt, (len(args)-2)/2)
	return append(args, "--note", "checked the ledger")
}

// waitOrphans waits until no process has the ledger's path on its command
// line (Linux: /proc); elsewhere it gives them a moment.
func (c *crasher) waitOrphans() {
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil || len(procs) == 0 {
		time.Sleep(200 * time.Millisecond)
		return
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if !c.orphanRunning() {
			return
		}
	}
	c.t.Fatalf("a step process outlived its run for 5s")
}

func (c *crasher) orphanRunning() bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(c.ledger)) {
			return true
		}
	}
	return false
}

// waitLease waits until the lock of the plan's dead holder is gone.
func (c *crasher) waitLease() {
	c.waits++
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.st.shared.WaitUnlocked(ctx, "crash-drill"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *crasher) fold() *engine.RunState {
	runs, err := c.st.b.List("")
	if err != nil || len(runs) == 0 {
		c.t.Fatalf("list runs: %v (%d)", err, len(runs))
	}
	rep, err := c.st.b.Read(engine.LatestRun(runs).Path)
	if err != nil {
		c.t.Fatalf("read journal: %v", err)
	}
	return engine.Fold(rep)
}

func (c *crasher) journalRecords() int {
	runs, err := c.st.b.List("")
	if err != nil || len(runs) == 0 {
		return -1
	}
	return engine.LatestRun(runs).Records
}

func (c *crasher) ledgerCounts() map[string]int {
	b, err := os.ReadFile(c.ledger)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		c.t.Fatal(err)
	}
	m := map[string]int{}
	for _, l := range strings.Fields(string(b)) {
		m[l]++
	}
	return m
}

// checkLedger: every step that is not idempotent ran exactly once; the
// idempotent ones at least once; the run's last state is succeeded.
func (c *crasher) checkLedger() {
	t := c.t
	counts := c.ledgerCounts()
	rs := c.fold()
	if rs.Ended != engine.RunSucceeded {
		t.Errorf("run ended %q, want succeeded", rs.Ended)
	}
	for _, id := range rs.Order {
		n := counts[id]
		switch {
		case strings.HasPrefix(id, "idem-") && n < 1:
			t.Errorf("idempotent step %s never ran", id)
		case !strings.HasPrefix(id, "idem-") && n != 1:
			t.Errorf("step %s ran %d times, want exactly once", id, n)
		}
	}
	if len(rs.Order) < 20 {
		t.Errorf("only %d steps in the run", len(rs.Order))
	}
}

// TestInterruptExits130 sends SIGINT to a running apply: the running
// step is cancelled (its process killed), the journal records the
// interruption, the exit code is 130, and the step is in doubt.
func TestInterruptExits130(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	body := "version: 1\nname: sigint\nsteps:\n  - id: long\n    action: exec.run\n    with: { program: sleep, args: ['30'] }\n"
	if err := os.WriteFile(plan, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "apply", plan, "--auto-approve", "--log-format", "json")
	cmd.Env = append(os.Environ(), "FAILOVER_TEST_MAIN=1", "FAILOVER_STATE_DIR="+filepath.Join(dir, "state"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the step runs: its start record is in the journal.
	deadline := time.Now().Add(10 * time.Second)
	for c := (&crasher{t: t, dir: dir, st: localCrash(dir)}); c.journalRecords() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the step never started:\n%s", stderr.String())
		}
	}
	began := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want 130\n%s", err, stderr.String())
	}
	if time.Since(began) > 5*time.Second {
		t.Errorf("took %s to stop: the step's process was not killed", time.Since(began))
	}
	rs := (&crasher{t: t, dir: dir, st: localCrash(dir)}).fold()
	if rs.Ended != "interrupted" || rs.Steps["long"].State != engine.StateInDoubt {
		t.Errorf("run %q, step %s; want interrupted and in-doubt", rs.Ended, rs.Steps["long"].State)
	}
}
