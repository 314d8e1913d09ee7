package lab

import (
	"context"
	"testing"
)

const snapshotJoin = `SELECT s.secondary_id, s.primary_server, s.backup_source_directory, s.backup_destination_directory,
       s.last_copied_file, d.secondary_database, d.restore_mode, d.last_restored_file,
       m.last_restored_latency, cj.name AS copy_job_name, rj.name AS restore_job_name
FROM msdb.dbo.log_shipping_secondary AS s
JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id
LEFT JOIN msdb.dbo.log_shipping_monitor_secondary AS m
       ON m.secondary_id = s.secondary_id AND m.secondary_database = d.secondary_database
LEFT JOIN msdb.dbo.sysjobs AS cj ON cj.job_id = s.copy_job_id
LEFT JOIN msdb.dbo.sysjobs AS rj ON rj.job_id = s.restore_job_id
WHERE d.secondary_database = N'mgc'`

// BenchmarkSnapshotJoin measures one parse and run of the A.1 snapshot
// join (five tables) through the handler.
func BenchmarkSnapshotJoin(b *testing.B) {
	benchBatch(b, snapshotJoin)
}

// BenchmarkSessionDiscovery measures the C.1 query (sessions and lock
// holders) with 50 simulated lock holders on the restoring database.
func BenchmarkSessionDiscovery(b *testing.B) {
	benchBatch(b, `SELECT s.session_id FROM sys.dm_exec_sessions AS s
WHERE s.database_id = DB_ID(N'mgc') AND s.is_user_process = 1 AND s.session_id <> @@SPID
UNION
SELECT l.request_session_id FROM sys.dm_tran_locks AS l
WHERE l.resource_database_id = DB_ID(N'mgc') AND l.request_session_id <> @@SPID`)
}

func benchBatch(b *testing.B, sql string) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions.LockHolders = 50
	dir := b.TempDir()
	if err := Init(dir, cfg); err != nil {
		b.Fatal(err)
	}
	st, err := loadState(statePath(dir, "BACKUP"))
	if err != nil {
		b.Fatal(err)
	}
	in := newInstance(st, statePath(dir, "BACKUP"), &faultSet{}, nil)
	s := newFakeSession(51, "master")
	in.Open(s)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		w := &recWriter{}
		in.Batch(ctx, s, sql, w)
		if len(w.errors) > 0 || len(w.results) != 1 {
			b.Fatalf("errors %v", w.errors)
		}
	}
}
