package fs

import (
	"context"
	"errors"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/failover-dev/failover/actions"
)

func TestCopyMissingSource(t *testing.T) {
	dst := t.TempDir()
	writeFile(t, dst, "mgc_1.trn", "copied earlier", 0)
	writeFile(t, dst, "mgc_2.trn", "copied earlier", 900)
	writeFile(t, dst, "notes.txt", "not a log", 1800)
	missing := filepath.Join(t.TempDir(), "share-in-dc1")
	p := params(t, map[string]any{"from": missing, "to": dst, "include": []any{"*.trn"}})
	_, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, p)
	want := "source " + missing + " is unreachable: it does not exist; if it is in the failed datacenter, set allow_missing_source: true to go on with the files " + dst + " already holds"
	if err == nil || err.Error() != want || actions.ClassOf(err) != actions.Permanent {
		t.Errorf("err = %v (%s)\nwant %q, permanent", err, actions.ClassOf(err), want)
	}

	p.AllowMissingSource = true
	out, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, p)
	if err != nil {
		t.Fatal(err)
	}
	wantWarning := "source " + missing + " is unreachable: it does not exist; nothing was copied; the destination " + dst +
		" holds 2 matching file(s), the newest mgc_2.trn (modified 2024-03-01T02:15:00Z); log backups that never reached " + dst + " are lost"
	if out["source_unreachable"] != true || out["warning"] != wantWarning || out["files_copied"] != int64(0) {
		t.Errorf("outputs %v\nwant source_unreachable and the warning\n%s", out, wantWarning)
	}
	pr, err := testAction(&faultFS{}).Probe(context.Background(), &actions.Env{}, p)
	if err != nil || pr.State != actions.ProbeNotDone {
		t.Errorf("probe = %+v, %v; want not done (running again is safe)", pr, err)
	}
	in, err := testAction(&faultFS{}).Inspect(context.Background(), &actions.Env{}, p)
	if err != nil || in.Change != actions.ChangeNone || !strings.Contains(in.Summary, "a run would copy nothing and warn") {
		t.Errorf("inspection = %+v, %v", in, err)
	}
}

// TestCopyHungShare: a share that never answers counts as unreachable
// after source_timeout without an answer.
func TestCopyHungShare(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "log", 0)
	release := make(chan struct{})
	defer close(release)
	fsys := &faultFS{}
	fsys.stat = func(name string) (iofs.FileInfo, error) {
		if name == src {
			<-release // the share hangs until the test ends
		}
		return os.Stat(name)
	}
	p := params(t, map[string]any{"from": src, "to": dst, "source_timeout": "1ms"})
	_, err := testAction(fsys).Run(context.Background(), &actions.Env{}, p)
	var ue *unreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "no answer within 1ms") || actions.ClassOf(err) != actions.Retryable {
		t.Errorf("err = %v (%s), want a retryable unreachable source", err, actions.ClassOf(err))
	}
	p.AllowMissingSource = true
	out, err := testAction(fsys).Run(context.Background(), &actions.Env{}, p)
	if err != nil || out["source_unreachable"] != true {
		t.Errorf("with allow_missing_source: %v, %v", out, err)
	}
}

// TestCopySourceLostDuringTheCopy: the share goes dark after the listing;
// without allow_missing_source that is a failed copy, with it the files
// copied stay and the step warns.
func TestCopySourceLostDuringTheCopy(t *testing.T) {
	for _, allow := range []bool{false, true} {
		src, dst := t.TempDir(), t.TempDir()
		writeFile(t, src, "mgc_1.trn", "one", 0)
		writeFile(t, src, "mgc_2.trn", "two", 1)
		fsys := &faultFS{}
		gone := false
		fsys.open = func(name string) (srcFile, error) {
			if filepath.Base(name) == "mgc_2.trn" {
				gone = true
			}
			if gone {
				return nil, &iofs.PathError{Op: "open", Path: name, Err: syscall.EHOSTDOWN}
			}
			return osFS{}.Open(name)
		}
		fsys.stat = func(name string) (iofs.FileInfo, error) {
			if gone {
				return nil, &iofs.PathError{Op: "stat", Path: name, Err: syscall.EHOSTDOWN}
			}
			return os.Stat(name)
		}
		p := params(t, map[string]any{"from": src, "to": dst, "parallel": 1, "allow_missing_source": allow})
		out, err := testAction(fsys).Run(context.Background(), &actions.Env{}, p)
		switch {
		case !allow && (err == nil || !strings.Contains(err.Error(), "open "+filepath.Join(src, "mgc_2.trn"))):
			t.Errorf("without allow_missing_source: err = %v, want the failed open", err)
		case allow && (err != nil || out["source_unreachable"] != true || out["files_copied"] != int64(1) ||
			!strings.Contains(out["warning"].(string), "during the copy, after 1 of 2 file(s)")):
			t.Errorf("with allow_missing_source: %v, %v", out, err)
		}
		if got := keys(dirFiles(t, dst)); len(got) != 1 || got[0] != "mgc_1.trn" {
			t.Errorf("destination holds %v, want mgc_1.trn", got)
		}
	}
}

func TestCopyChangingSource(t *testing.T) {
	tests := []struct {
		name          string
		grows         int
		allowChanging bool
		err           string
		wantCopy      string // content of mgc_2.trn at the destination ("" none)
		skipped       string
	}{
		{name: "changes once, then copied whole", grows: 1, wantCopy: "the newest log+++++++"},
		{name: "changes twice, then copied whole", grows: 2, wantCopy: "the newest log++++++++++++++"},
		{name: "keeps changing", grows: 1000,
			err: "1 file(s) still being written on the source (it went from"},
		{name: "keeps changing, skipped", grows: 1000, allowChanging: true,
			skipped: "mgc_2.trn: still being written on the source (it went from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			writeFile(t, src, "mgc_1.trn", "an old log", 0)
			growing := writeFile(t, src, "mgc_2.trn", "the newest log", 60)
			grows := tt.grows
			fsys := &faultFS{}
			fsys.open = func(name string) (srcFile, error) {
				f, err := os.Open(name)
				if err != nil || name != growing {
					return f, err
				}
				return &growingSource{File: f, path: name, grows: &grows}, nil
			}
			p := params(t, map[string]any{"from": src, "to": dst, "allow_changing": tt.allowChanging})
			out, err := testAction(fsys).Run(context.Background(), &actions.Env{}, p)
			switch {
			case tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err) || actions.ClassOf(err) != actions.Retryable ||
				!strings.Contains(err.Error(), "in each of 3 copies): mgc_2.trn; the other files were copied")):
				t.Errorf("err = %v (%s), want a retryable %q…", err, actions.ClassOf(err), tt.err)
			case tt.err == "" && err != nil:
				t.Fatal(err)
			}
			files := dirFiles(t, dst)
			if files["mgc_1.trn"] != "an old log" || files["mgc_2.trn"] != tt.wantCopy || len(files) != 1+btoi(tt.wantCopy != "") {
				t.Errorf("destination holds %v, want mgc_1.trn and mgc_2.trn = %q, nothing torn", files, tt.wantCopy)
			}
			if tt.skipped != "" {
				skipped := out["skipped"].([]any)
				if len(skipped) != 1 || !strings.HasPrefix(skipped[0].(string), tt.skipped) || !strings.Contains(out["warning"].(string), "mgc_2.trn") {
					t.Errorf("skipped %v, warning %q; want %q…", skipped, out["warning"], tt.skipped)
				}
			}
		})
	}
}

func TestCopyVanishedFile(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "one", 0)
	old := writeFile(t, src, "mgc_0.trn", "deleted by retention", 0)
	fsys := &faultFS{}
	fsys.open = func(name string) (srcFile, error) {
		if name == old {
			os.Remove(old) // retention runs between the listing and the copy
		}
		return osFS{}.Open(name)
	}
	out, err := testAction(fsys).Run(context.Background(), &actions.Env{}, params(t, map[string]any{"from": src, "to": dst}))
	if err != nil {
		t.Fatal(err)
	}
	skipped := out["skipped"].([]any)
	if out["files_copied"] != int64(1) || len(skipped) != 1 || !strings.HasPrefix(skipped[0].(string), "mgc_0.trn: vanished from the source after it was listed") {
		t.Errorf("outputs %v, want mgc_0.trn skipped as vanished", out)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
