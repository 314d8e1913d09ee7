package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	actexec "github.com/failover-dev/failover/actions/exec"
	"github.com/failover-dev/failover/plans"
)

// The benchmarks measure the engine's cost per step with the journal
// synced as in production (journal.OSFS, fsync per start record), in the
// benchmark's temp dir. Compare ns/step with BenchmarkFsync.

func noopRegistry() *actions.Registry {
	reg := actions.NewRegistry()
	reg.Register(actions.Define[actions.None](actions.Type{Name: "bench.noop", Kind: actions.KindAction}, noop{}))
	return reg
}

// noop is the benchmarks' action: it does nothing.
type noop struct{}

func (noop) Run(context.Context, *actions.Env, *actions.None) (map[string]any, error) {
	return nil, nil
}

// benchPlan builds n steps of action with params; chain: each needs the
// one before; otherwise every step but the first needs the first (fan-out).
func benchPlan(n int, chain bool, action string, with map[string]any) *plans.Plan {
	steps := make([]*plans.Step, n)
	for i := range steps {
		s := &plans.Step{ID: fmt.Sprintf("s%05d", i), Action: action, With: value(with), Retry: plans.Retry{Attempts: 1},
			Hash: fmt.Sprintf("%064x", i)}
		switch {
		case i == 0:
		case chain:
			s.Deps = []string{steps[i-1].ID}
		default:
			s.Deps = []string{steps[0].ID}
		}
		steps[i] = s
	}
	return &plans.Plan{Version: 1, Name: "bench", Steps: steps, Hash: strings.Repeat("ab", 32),
		Secrets: map[string]*plans.Secret{}, Targets: map[string]*plans.Target{}}
}

func benchRun(b *testing.B, p *plans.Plan, reg *actions.Registry, parallelism int) {
	b.Helper()
	var journalBytes int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		cfg := Config{Plan: p, Registry: reg, StateDir: dir, Log: zerolog.Nop(), Parallelism: parallelism,
			LookupEnv: func(string) (string, bool) { return "", false }}
		b.StartTimer()
		sum, err := Run(context.Background(), cfg)
		if err != nil {
			b.Fatalf("Run: %v", err)
		}
		b.StopTimer()
		st, err := os.Stat(sum.JournalPath)
		if err != nil {
			b.Fatal(err)
		}
		journalBytes = st.Size()
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(len(p.Steps))
	perStep := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / n
	b.ReportMetric(perStep, "ns/step")
	b.ReportMetric(float64(journalBytes)/n, "journal-B/step")
	b.ReportMetric(perStep/fsyncLatency(b), "fsyncs/step")
}

// fsyncLatency measures this disk's fsync (100 bytes appended, fsync) in
// the benchmark's own temp dir, right after the run, so that ns/step can
// be read as a multiple of it under the same load.
func fsyncLatency(b *testing.B) float64 {
	b.Helper()
	f, err := os.Create(filepath.Join(b.TempDir(), "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 100)
	const rounds = 200
	start := time.Now()
	for i := 0; i < rounds; i++ {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	return float64(time.Since(start).Nanoseconds()) / rounds
}

func BenchmarkSerialNoop(b *testing.B) {
	for _, n := range []int{50, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchRun(b, benchPlan(n, true, "bench.noop", nil), noopRegistry(), 4) })
	}
}

func BenchmarkFanOutNoop(b *testing.B) {
	for _, n := range []int{50, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchRun(b, benchPlan(n, false, "bench.noop", nil), noopRegistry(), 4) })
	}
}

// BenchmarkExecTrueChain200 runs a 200-step chain of exec.run /bin/true;
// BenchmarkMakeTrueChain200 runs the same chain of `true` with make -j1.
func BenchmarkExecTrueChain200(b *testing.B) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		b.Skip("no true program")
	}
	reg := actions.NewRegistry()
	actexec.Register(reg)
	benchRun(b, benchPlan(200, true, "exec.run", map[string]any{"program": truePath}), reg, 4)
}

func BenchmarkMakeTrueChain200(b *testing.B) {
	makePath, err := exec.LookPath("make")
	if err != nil {
		b.Skip("no make")
	}
	dir := b.TempDir()
	var mk strings.Builder
	mk.WriteString(".PHONY: all")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&mk, " s%d", i)
	}
	mk.WriteString("\nall: s199\n")
	for i := 0; i < 200; i++ {
		dep := ""
		if i > 0 {
			dep = fmt.Sprintf("s%d", i-1)
		}
		fmt.Fprintf(&mk, "s%d: %s\n\t@true\n", i, dep)
	}
	mf := filepath.Join(dir, "Makefile")
	if err := os.WriteFile(mf, []byte(mk.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, err := exec.Command(makePath, "-j1", "-s", "-f", mf, "all").CombinedOutput(); err != nil {
			b.Fatalf("make: %v\n%s", err, out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/200, "ns/step")
}

// BenchmarkFsync is this disk's fsync latency: write 100 bytes, fsync.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}

// reporter is the benchmarks' long step: it reports progress n times
// (every item of a 10,000-file copy, say) and does nothing else.
type reporter struct{ n int }

func (r reporter) Run(_ context.Context, env *actions.Env, _ *actions.None) (map[string]any, error) {
	for i := 1; i <= r.n; i++ {
		env.Report(actions.Progress{Done: int64(i), Total: int64(r.n), Unit: "files", Item: "mgc_20261126011500.trn"})
	}
	return nil, nil
}

// BenchmarkProgress runs a chain of steps that each report 10,000
// progress events, and the same chain of steps that report none: the
// difference per step is what progress costs a step.
func BenchmarkProgress(b *testing.B) {
	for _, events := range []int{0, 10000} {
		b.Run(fmt.Sprintf("events=%d", events), func(b *testing.B) {
			reg := actions.NewRegistry()
			reg.Register(actions.Define[actions.None](actions.Type{Name: "bench.report", Kind: actions.KindAction}, reporter{events}))
			const steps = 200
			p := benchPlan(steps, true, "bench.report", nil)
			var rendered atomic.Int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				cfg := Config{Plan: p, Registry: reg, StateDir: b.TempDir(), Log: zerolog.Nop(), Parallelism: 4,
					LookupEnv: func(string) (string, bool) { return "", false },
					Progress:  func(ProgressEvent) { rendered.Add(1) }}
				b.StartTimer()
				if _, err := Run(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*steps), "ns/step")
			b.ReportMetric(float64(rendered.Load())/float64(b.N*steps), "rendered/step")
		})
	}
}

// BenchmarkReport is the cost of one progress report that is not due:
// what an action pays for every item it reports.
func BenchmarkReport(b *testing.B) {
	env := &actions.Env{Progress: actions.NewProgressSink(time.Hour, func(actions.Progress) {})}
	env.Report(actions.Progress{}) // the first is passed on; the rest wait an hour
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env.Report(actions.Progress{Done: int64(i), Total: 1 << 62, Unit: "files", Item: "mgc_20261126011500.trn"})
	}
}
