package lab

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"
)

// TestServedLabFileFaults: a running lab sees a file-system fault added
// through its dir at once (RESTORE over the wire gets 53), and its poll
// drives a live primary that writes new backups to the share.
func TestServedLabFileFaults(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	t.Cleanup(func() { undoAllFileFaults(sl.dir) })
	db := sl.db(t, "BACKUP")
	name := firstFile(t, sl.share())
	f, err := AddFault(sl.dir, Fault{Kind: FaultShareGone})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, "RESTORE HEADERONLY FROM DISK = @p", sql.Named("p", `\\DC1-FS01\LSBackup\`+name))
	if me := asMSSQL(t, err); me.All[0].Number != 3201 || !strings.Contains(me.All[0].Message, "Operating system error 53(") {
		t.Errorf("HEADERONLY on a gone share: %+v", me.All)
	}
	if _, err := ClearFaults(sl.dir, f.ID); err != nil {
		t.Fatal(err)
	}
	before := len(mustReadDir(t, sl.share()))
	if _, err := AddFault(sl.dir, Fault{Kind: FaultLivePrimary, Delay: 10 * time.Millisecond, Times: 2}); err != nil {
		t.Fatal(err)
	}
	// Each backup is written, then logged: wait for both.
	logged := func() int {
		log, _ := os.ReadFile(sl.dir + "/" + StatementLog)
		return strings.Count(string(log), "live-primary DC1-SQL01 wrote")
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(mustReadDir(t, sl.share())) < before+2 || logged() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the live primary wrote %d backups and logged %d in 15s, want 2", len(mustReadDir(t, sl.share()))-before, logged())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := logged(); n != 2 {
		t.Errorf("statement log records %d backups, want 2", n)
	}
}
