//go:build unix

package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// countParams are the params of "test.count": count to N, one checkpoint
// per number, each number written to a ledger once its checkpoint is
// durable.
type countParams struct {
	N      int64  `param:"n,required"`
	Ledger string `param:"ledger,required"`
}

// counter is the test.count action. killAt, when set, SIGKILLs the
// process at one number and phase: "before" its checkpoint, "between" the
// checkpoint and the ledger, "after" the ledger.
type counter struct {
	killAt  int64
	phase   string
	cancel  func(n int64) // called after each number (in-process tests)
	reports *int
}

func (c counter) Run(ctx context.Context, env *actions.Env, p *countParams) (map[string]any, error) {
	var last int64
	if _, err := env.LastCheckpoint(&last); err != nil {
		return nil, err
	}
	ledger, err := os.OpenFile(p.Ledger, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	defer ledger.Close()
	for n := last + 1; n <= p.N; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c.maybeKill(n, "before")
		if err := env.Checkpoint(n); err != nil {
			return nil, err
		}
		c.maybeKill(n, "between")
		if _, err := fmt.Fprintln(ledger, n); err != nil {
			return nil, err
		}
		if err := ledger.Sync(); err != nil {
			return nil, err
		}
		c.maybeKill(n, "after")
		env.Report(actions.Progress{Done: n, Total: p.N, Unit: "numbers", Item: strconv.FormatInt(n, 10)})
		if c.cancel != nil {
			c.cancel(n)
		}
	}
	return map[string]any{"counted": p.N}, nil
}

func (c counter) maybeKill(n int64, phase string) {
	if n == c.killAt && phase == c.phase {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}

// countPlan is one counting step between two steps of the fake action.
func countPlan(n int64, ledger string) *plans.Plan {
	c := step("count", []string{"first"}, map[string]any{"n": n, "ledger": ledger})
	c.Action = "test.count"
	return newPlan(step("first", nil, nil), c, step("last", []string{"count"}, nil))
}

func countRegistry(rc *recorder, c counter) *actions.Registry {
	reg := testRegistry(rc)
	reg.Register(actions.Define[countParams](actions.Type{Name: "test.count", Kind: actions.KindAction, Idempotent: true,
		Outputs: []actions.Output{{Name: "counted"}}}, c))
	return reg
}

// checkpointsOf lists the numbers the journal's checkpoints of step hold,
// in journal order.
func checkpointsOf(t *testing.T, path, stepID string) []int64 {
	t.Helper()
	var out []int64
	for _, r := range mustRead(t, path).Records {
		if r.Type == RecStepCheckpoint && r.Step == stepID {
			n, err := strconv.ParseInt(string(r.Checkpoint), 10, 64)
			if err != nil {
				t.Fatalf("checkpoint %q: %v", r.Checkpoint, err)
			}
			out = append(out, n)
		}
	}
	return out
}

// readLedger lists the numbers written to the ledger.
func readLedger(t *testing.T, path string) []int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		n, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			t.Fatalf("ledger line %q", sc.Text())
		}
		out = append(out, n)
	}
	return out
}

// TestCheckpointResumesAtTheNextItem: a run interrupted inside a step
// resumes after its last checkpoint; the progress it reported reached
// the console in order, the last one complete.
func TestCheckpointResumesAtTheNextItem(t *testing.T) {
	ledger := filepath.Join(t.TempDir(), "ledger")
	rc := newRecorder()
	cfg := testConfig(t, countPlan(50, ledger), rc)
	ctx, cancel := context.WithCancel(context.Background())
	cfg.Registry = countRegistry(rc, counter{cancel: func(n int64) {
		if n == 20 {
			cancel()
		}
	}})
	var events []ProgressEvent
	cfg.Progress = func(ev ProgressEvent) { events = append(events, ev) }
	sum, err := Run(ctx, cfg)
	if ExitCode(err) != ExitInterrupted {
		t.Fatalf("Run: %v, want interrupted", err)
	}
	cfg.Registry = countRegistry(rc, counter{})
	if _, err := Resume(context.Background(), cfg, ResumeOptions{}); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	want := make([]int64, 50)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if got := checkpointsOf(t, sum.JournalPath, "count"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("checkpoints %v, want 1..50 once each", got)
	}
	if got := readLedger(t, ledger); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ledger %v, want 1..50 once each", got)
	}
	if len(events) < 2 || events[0].Done != 1 || !events[len(events)-1].Ended || events[len(events)-1].Done != 50 {
		t.Errorf("progress events %+v: want the first number, then the run's end at 50", events)
	}
	st := Fold(mustRead(t, sum.JournalPath)).Steps["count"]
	if st.Checkpoints != 50 || string(st.Checkpoint) != "50" {
		t.Errorf("fold: %d checkpoints, last %s; want 50, 50", st.Checkpoints, st.Checkpoint)
	}
}

// TestProgressLoggedWithoutAConsole: without a console, progress goes to
// the log as records (JSON lines with --log-format json).
func TestProgressLoggedWithoutAConsole(t *testing.T) {
	var buf bytes.Buffer
	rc := newRecorder()
	cfg := testConfig(t, countPlan(5, filepath.Join(t.TempDir(), "ledger")), rc)
	cfg.Registry = countRegistry(rc, counter{})
	cfg.Log = zerolog.New(&buf)
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	var last map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["message"] == "progress" {
			last = m
		}
	}
	if last == nil || last["step"] != "count" || last["done"] != 5.0 || last["total"] != 5.0 || last["unit"] != "numbers" {
		t.Errorf("last progress record %v, want count at 5 of 5 numbers", last)
	}
}

// TestCheckpointAfterSIGKILL kills a helper process running the counting
// step at random numbers and phases (before a checkpoint, between it and
// the ledger, after the ledger), resuming each time: the journal's
// checkpoints are 1..N exactly once and in order — resume continued at the
// next number — and the ledger never repeats a number, since a number is
// written there only once its checkpoint is durable.
func TestCheckpointAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const n = 60
	dir := t.TempDir()
	ledger := filepath.Join(dir, "ledger")
	rnd := rand.New(rand.NewPCG(7, 11))
	phases := []string{"before", "between", "after"}
	// Twelve distinct numbers, in order: each kill lands after the last
	// one's resume has passed it.
	at := rnd.Perm(n)[:12]
	slices.Sort(at)
	mode, kills := "apply", 0
	for round := 0; round < 40; round++ {
		kill := ""
		if round < len(at) {
			kill = fmt.Sprintf("%d:%s", 1+at[round], phases[rnd.IntN(3)])
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "FAILOVER_ENGINE_HELPER=count", "HELPER_MODE="+mode, "HELPER_DIR="+dir,
			"HELPER_LEDGER="+ledger, "HELPER_KILL="+kill, "HELPER_N="+strconv.Itoa(n))
		out, err := cmd.CombinedOutput()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			kills++
			mode = "resume"
			continue
		}
		if err != nil {
			// A kill number already counted in an earlier round: the run
			// went on to the end; or a real failure.
			t.Fatalf("helper %s (kill %q): %v\n%s", mode, kill, err, out)
		}
		if strings.Contains(string(out), "run completed") {
			break
		}
		mode = "resume"
	}
	if kills != len(at) {
		t.Fatalf("%d of %d kills landed", kills, len(at))
	}
	runs, err := journal.ListPlan(filepath.Join(dir, "state"), "test-plan")
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v, %v", runs, err)
	}
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if got := checkpointsOf(t, runs[0].Path, "count"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after %d kills, checkpoints %v, want 1..%d once each", kills, got, n)
	}
	got := readLedger(t, ledger)
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("ledger repeats or reorders a number after %d kills: %v", kills, got)
		}
	}
	if rs := Fold(mustRead(t, runs[0].Path)); !rs.Complete() {
		t.Errorf("run ended %q, want complete", rs.Ended)
	}
	t.Logf("%d kills; ledger holds %d of %d numbers", kills, len(got), n)
}

// countHelper is the helper process of TestCheckpointAfterSIGKILL.
func countHelper() int {
	n, _ := strconv.ParseInt(os.Getenv("HELPER_N"), 10, 64)
	var c counter
	if k := os.Getenv("HELPER_KILL"); k != "" {
		num, phase, _ := strings.Cut(k, ":")
		c.killAt, _ = strconv.ParseInt(num, 10, 64)
		c.phase = phase
	}
	rc := newRecorder()
	cfg := Config{Plan: countPlan(n, os.Getenv("HELPER_LEDGER")), Registry: countRegistry(rc, c),
		StateDir: filepath.Join(os.Getenv("HELPER_DIR"), "state"), Log: zerolog.Nop(), User: "tester"}
	var err error
	if os.Getenv("HELPER_MODE") == "apply" {
		_, err = Run(context.Background(), cfg)
	} else {
		_, err = Resume(context.Background(), cfg, ResumeOptions{})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return ExitCode(err)
	}
	fmt.Println("run completed")
	return 0
}
