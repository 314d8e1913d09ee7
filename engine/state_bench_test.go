package engine

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/internal/etcdtest"
)

// BenchmarkStateChain runs the same no-op chain with its state in a
// state dir (fsync per step) and on a three-member etcd cluster embedded
// in the benchmark, on this machine's loopback and disk, its members
// syncing their logs as a real cluster does (one quorum write per step):
// the per-step cost of keeping state where another host can reach it.
//
//	go test ./engine -run '^$' -bench StateChain -benchtime 5x
func BenchmarkStateChain(b *testing.B) {
	const steps = 200
	p := benchPlan(steps, true, "bench.noop", nil)
	c := etcdtest.Start(b, etcdtest.Options{Fsync: true})
	cli := c.Client(b)
	for _, name := range []string{"local", "etcd-3-members"} {
		b.Run(name, func(b *testing.B) {
			var last *Summary
			var state store.Backend
			var revs, dbBytes int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				state = store.NewLocal(b.TempDir(), nil)
				if name != "local" {
					// A prefix as long as the default /failover: the
					// keys' bytes are those of a real store.
					state = etcdstore.New(cli, fmt.Sprintf("/fo%06d", benchRuns.Add(1)), 5*time.Second)
				}
				before, dbBefore := revision(b, cli), dbInUse(b, cli, c.Members[0].ClientAddr)
				cfg := Config{Plan: p, Registry: noopRegistry(), State: state, Log: zerolog.Nop(), Parallelism: 4,
					LookupEnv: func(string) (string, bool) { return "", false }}
				b.StartTimer()
				sum, err := Run(context.Background(), cfg)
				if err != nil {
					b.Fatalf("Run: %v", err)
				}
				b.StopTimer()
				last, revs = sum, revision(b, cli)-before
				dbBytes = dbInUse(b, cli, c.Members[0].ClientAddr) - dbBefore
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/steps, "ns/step")
			img, err := state.ReadImage(last.JournalPath)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(img))/steps, "journal-B/step")
			if name != "local" {
				b.ReportMetric(float64(revs)/steps, "etcd-writes/step")
				b.ReportMetric(float64(keyBytes(b, cli, last.JournalPath))/steps, "key-B/step")
				b.ReportMetric(float64(dbBytes)/steps, "db-B/step")
			}
		})
	}
}

// benchRuns numbers the benchmark's runs on etcd, each under a prefix
// of its own.
var benchRuns atomic.Int64

// revision is the cluster's current revision: one more per write.
func revision(b *testing.B, cli *clientv3.Client) int64 {
	b.Helper()
	resp, err := cli.Get(context.Background(), "/", clientv3.WithCountOnly())
	if err != nil {
		b.Fatal(err)
	}
	return resp.Header.Revision
}

// dbInUse is how much of a member's database is in use: every revision
// of every key is kept until the cluster is compacted.
func dbInUse(b *testing.B, cli *clientv3.Client, endpoint string) int64 {
	b.Helper()
	st, err := cli.Status(context.Background(), endpoint)
	if err != nil {
		b.Fatal(err)
	}
	return st.DbSizeInUse
}

// keyBytes sums the lengths of the keys of a run's journal.
func keyBytes(b *testing.B, cli *clientv3.Client, name string) int {
	b.Helper()
	resp, err := cli.Get(context.Background(), name+"/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, kv := range resp.Kvs {
		n += len(kv.Key)
	}
	return n
}
