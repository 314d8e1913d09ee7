package lab

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestBackupMessages: a backup reports its progress with STATS (3211,
// sent while it runs), the pages of each file it holds (4035: a full
// backup both files, a log backup the log file) and 3014.
func TestBackupMessages(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.ins["PRIMARY"]
	s := open(in, 51, "master")
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"full", "BACKUP DATABASE mgc TO DISK = N'" + onShare("m.bak") + "' WITH STATS = 50",
			[]string{"50 percent processed.", "100 percent processed.", "Processed * pages for database 'mgc', file 'mgc' on file 1.",
				"Processed 2 pages for database 'mgc', file 'mgc_log' on file 1.", "BACKUP DATABASE successfully processed *"}},
		{"log", "BACKUP LOG mgc TO DISK = N'" + onShare("m.trn") + "'",
			[]string{"Processed * pages for database 'mgc', file 'mgc_log' on file 1.", "BACKUP LOG successfully processed *"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := run(t, in, s, tt.sql)
			if len(w.errors) > 0 {
				t.Fatal(w.errors)
			}
			var got []string
			for _, m := range w.infos {
				got = append(got, m.Text)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("messages %q, want %q", got, tt.want)
			}
			for i, want := range tt.want {
				if pre, ok := strings.CutSuffix(want, "*"); ok && strings.HasPrefix(got[i], pre) {
					continue
				}
				if pre, suf, ok := strings.Cut(want, "*"); ok && strings.HasPrefix(got[i], pre) && strings.HasSuffix(got[i], suf) {
					continue
				}
				if got[i] != want {
					t.Errorf("message %d = %q, want %q", i, got[i], want)
				}
			}
		})
	}
}

// TestBackupSerializedAndCancelled: a second backup of a database one runs on is
// 3023; a backup cancelled while it works writes nothing and leaves the
// database's log where it was.
func TestBackupSerializedAndCancelled(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.ins["PRIMARY"]
	s := open(in, 51, "master")
	in.restoring["mgc"] = 99
	if w := run(t, in, s, "BACKUP DATABASE mgc TO DISK = N'"+onShare("m.bak")+"'"); !reflect.DeepEqual(w.errorNumbers(), []int32{3023, 3013}) {
		t.Errorf("backup while another runs: %v, want 3023", w.errorNumbers())
	}
	delete(in.restoring, "mgc")
	in.restoreTime = time.Hour
	before := *in.st.database("mgc").Log
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := newStmtCtx(ctx, in, s, &recWriter{}, nil)
	stmts, err := parseBatch("BACKUP LOG mgc TO DISK = N'" + onShare("c.trn") + "'")
	if err != nil {
		t.Fatal(err)
	}
	if err := stmts[0].run(x); err != errAbort {
		t.Errorf("cancelled backup: %v, want the batch aborted", err)
	}
	if _, err := os.Stat(filepath.Join(tl.share(), "c.trn")); err == nil {
		t.Error("a cancelled backup wrote its file")
	}
	if after := *in.st.database("mgc").Log; after != before {
		t.Errorf("a cancelled backup moved the log from %+v to %+v", before, after)
	}
	if _, busy := in.restoring["mgc"]; busy {
		t.Error("a cancelled backup left mgc busy")
	}
}

// TestFullRestoreMessages: a full restore reports the pages of each file
// under its logical name, then 3014.
func TestFullRestoreMessages(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.ins["PRIMARY"]
	s := open(in, 51, "master")
	if w := run(t, in, s, "BACKUP DATABASE mgc TO DISK = N'"+onShare("m.bak")+"'"); len(w.errors) > 0 {
		t.Fatal(w.errors)
	}
	w := run(t, in, s, "RESTORE DATABASE mgc FROM DISK = N'"+onShare("m.bak")+"' WITH REPLACE, NORECOVERY")
	if len(w.errors) > 0 || len(w.infos) != 3 || !strings.HasPrefix(w.infos[0].Text, "Processed ") ||
		!strings.HasSuffix(w.infos[1].Text, "file 'mgc_log' on file 1.") || !strings.HasPrefix(w.infos[2].Text, "RESTORE DATABASE successfully processed") {
		t.Errorf("errors %v, messages %v", w.errors, w.infos)
	}
}
