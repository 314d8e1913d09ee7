package logship

import (
	"context"
	"testing"

	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// BenchmarkApplyPlanning plans logship.apply over 10,000 log backups in
// the lab's copy folder (list, RESTORE HEADERONLY of each over TDS,
// chain): once with a cold header cache per iteration, once with the
// run's cache warm (a re-scan, a probe after an inspection).
//
//	go test -run '^$' -bench BenchmarkApplyPlanning -benchtime 5x ./actions/logship
func BenchmarkApplyPlanning(b *testing.B) {
	cfg := lab.DefaultConfig()
	cfg.LogShipping.Backups, cfg.LogShipping.Copied, cfg.LogShipping.Restored = 10000, 10000, 9990
	l := sqltest.Start(b, cfg)
	env := l.Env(b, "BACKUP")
	p := &ApplyParams{Database: "mgc", Dir: winCopy, LocalDir: l.CopyFolder(), Mode: "NORECOVERY"}
	ctx := context.Background()
	a, err := newApplier(ctx, env, p)
	if err != nil {
		b.Fatal(err)
	}
	defer a.close()
	scan := func(b *testing.B) {
		sc, err := a.scan(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(sc.plan.Apply) != 10 {
			b.Fatalf("planned %d sets, want 10", len(sc.plan.Apply))
		}
	}
	b.Run("cold cache", func(b *testing.B) {
		for b.Loop() {
			a.cache = newHeaderCache()
			scan(b)
		}
	})
	b.Run("warm cache", func(b *testing.B) {
		a.cache = newHeaderCache()
		scan(b)
		for b.Loop() {
			scan(b)
		}
	})
}
