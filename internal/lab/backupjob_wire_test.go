package lab

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/failover-dev/failover/internal/labfile"
)

// shareLogs are the mgc log backups on the share.
func shareLogs(t *testing.T, sl *servedLab) []labfile.BackupSet {
	t.Helper()
	entries, err := os.ReadDir(sl.share())
	if err != nil {
		t.Fatal(err)
	}
	var out []labfile.BackupSet
	for _, e := range entries {
		sets, err := labfile.ReadFile(filepath.Join(sl.share(), e.Name()))
		if err != nil {
			continue
		}
		for _, s := range sets {
			if s.BackupType == labfile.TypeLog && s.DatabaseName == "mgc" {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestRoundTripBackupLogAndTheBackupJobShareOneChain: the primary's
// backup job (a live-primary fault) and BACKUP LOG over the wire write
// one chain, as on SQL Server: the job's next backup begins where a
// manual log backup ended, and the next manual one where the job's ended.
func TestRoundTripBackupLogAndTheBackupJobShareOneChain(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	t.Cleanup(func() { undoAllFileFaults(sl.dir) })
	prim := sl.db(t, "PRIMARY")
	mustExec(t, prim, `BACKUP LOG mgc TO DISK = N'\\DC1-FS01\LSBackup\manual_1.trn'`)
	manual1 := headerRows(t, prim, onShare("manual_1.trn"))[0]
	if _, err := AddFault(sl.dir, Fault{Kind: FaultLivePrimary, Match: `^SELECT 'tick'$`}); err != nil {
		t.Fatal(err)
	}
	mustExec(t, prim, "SELECT 'tick'")
	var job labfile.BackupSet
	for _, s := range shareLogs(t, sl) {
		if s.FirstLSN == lsnOf(t, manual1, "LastLSN") {
			job = s
		}
	}
	if job.LastLSN.IsZero() {
		t.Fatalf("the backup job's next log backup does not begin at the manual one's end %v", manual1["LastLSN"])
	}
	mustExec(t, prim, `BACKUP LOG mgc TO DISK = N'\\DC1-FS01\LSBackup\manual_2.trn'`)
	if got := lsnOf(t, headerRows(t, prim, onShare("manual_2.trn"))[0], "FirstLSN"); got != job.LastLSN {
		t.Errorf("the next manual log backup begins at %s, want the job's end %s", got, job.LastLSN)
	}
}
