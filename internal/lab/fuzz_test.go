package lab

import (
	"context"
	"testing"
)

// FuzzBatch feeds arbitrary text to an instance: whatever the text, the
// lab answers with results or SQL errors and never panics.
func FuzzBatch(f *testing.F) {
	for _, seed := range []string{
		"SELECT 1", "select @@spid;", "SELECT N'it''s' AS [a]]b]", "KILL 57", "EXEC(N'KILL ' + CAST(5 AS nvarchar(11)))",
		"RESTORE HEADERONLY FROM DISK = N'x.trn'", "RESTORE LOG mgc FROM DISK = @p WITH FILE = 2, NORECOVERY, RESTART",
		"SELECT d.name FROM sys.databases AS d LEFT JOIN sys.master_files mf ON mf.database_id = d.database_id WHERE d.name IN ('a', N'b') ORDER BY 1 DESC",
		"DECLARE @s nvarchar(40) = N'x'; SET @s = @s + N'y'; PRINT @s", "/* /* */ */ USE msdb", "GO", "SELECT 1 UNION ALL SELECT 2",
		"ALTER DATABASE mgccomp SET SINGLE_USER WITH ROLLBACK IMMEDIATE", "WAITFOR DELAY '00:00:00.001'", "SELECT COUNT(*), MAX(name) FROM sys.databases",
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	if err := Init(dir, DefaultConfig()); err != nil {
		f.Fatal(err)
	}
	st, err := loadState(statePath(dir, "BACKUP"))
	if err != nil {
		f.Fatal(err)
	}
	in := newInstance(st, statePath(dir, "BACKUP"), &faultSet{}, nil)
	in.restoreTime = 0
	f.Fuzz(func(t *testing.T, sql string) {
		s := newFakeSession(51, "master")
		in.Open(s)
		defer in.Close(s)
		ctx, cancel := context.WithTimeout(context.Background(), 100_000_000)
		defer cancel()
		in.Batch(ctx, s, sql, &recWriter{})
	})
}
