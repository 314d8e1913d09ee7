package fs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
)

func TestCopyTakesOnlyWhatTheDestinationLacks(t *testing.T) {
	for _, syncEach := range []bool{false, true} {
		t.Run(fmt.Sprintf("sync each file %v", syncEach), func(t *testing.T) { testCopyTakesOnlyWhatIsLacking(t, syncEach) })
	}
}

func testCopyTakesOnlyWhatIsLacking(t *testing.T, syncEach bool) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "first log", 0)
	writeFile(t, src, "mgc_2.trn", "second log, longer", 60)
	writeFile(t, src, "mgc_3.trn", "third", 120)
	writeFile(t, src, "mgc_4.trn", "fourth", 180)
	writeFile(t, src, "mgc.bak", "a full backup", 0)
	writeFile(t, src, "old/mgc_0.trn", "in a subfolder", 0)
	writeFile(t, dst, "mgc_1.trn", "first log", 0)   // the same: skipped
	writeFile(t, dst, "mgc_2.trn", "second log", 60) // shorter: a partial copy
	writeFile(t, dst, "mgc_3.trn", "THIRD", 3600)    // same size, other time
	p := params(t, map[string]any{"from": src, "to": dst, "include": []any{"*.trn"}})
	prog := &progressLog{}
	a := testAction(&faultFS{})
	a.syncEach = syncEach
	out, err := a.Run(context.Background(), &actions.Env{Progress: actions.NewProgressSink(0, prog.Report)}, p)
	if err != nil {
		t.Fatal(err)
	}
	got := dirFiles(t, dst)
	want := map[string]string{"mgc_1.trn": "first log", "mgc_2.trn": "second log, longer", "mgc_3.trn": "third", "mgc_4.trn": "fourth"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
	for name, sec := range map[string]int{"mgc_2.trn": 60, "mgc_3.trn": 120, "mgc_4.trn": 180} {
		fi, err := os.Stat(filepath.Join(dst, name))
		if err != nil || !fi.ModTime().Equal(mtimeBase.Add(time.Duration(sec)*time.Second)) {
			t.Errorf("%s: modification time %v (%v), want the source's", name, fi.ModTime(), err)
		}
	}
	wantOut := map[string]any{"files_copied": int64(3), "bytes_copied": int64(len("second log, longer") + len("third") + len("fourth")),
		"files_skipped": int64(1), "source_unreachable": false, "warning": "",
		"copied":  []any{"mgc_2.trn", "mgc_3.trn", "mgc_4.trn"},
		"skipped": []any{"mgc_1.trn: already at the destination"}}
	if !reflect.DeepEqual(out, wantOut) {
		t.Errorf("outputs\n got %v\nwant %v", out, wantOut)
	}
	last := prog.lastReport()
	if last.Done != 3 || last.Total != 3 || last.Bytes != wantOut["bytes_copied"] || last.TotalBytes != last.Bytes || last.Unit != "files" {
		t.Errorf("last progress %+v, want 3 of 3 files and all bytes", last)
	}
}

func TestCopySecondRunCopiesNothing(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "one", 0)
	writeFile(t, src, "mgc_2.trn", "two", 1)
	p := params(t, map[string]any{"from": src, "to": dst})
	a := testAction(&faultFS{})
	ctx := context.Background()
	pr, err := a.Probe(ctx, &actions.Env{}, p)
	if err != nil || pr.State != actions.ProbeNotDone || !strings.Contains(pr.Detail, "2 file(s)") {
		t.Errorf("probe before = %+v, %v; want not done with 2 files to copy", pr, err)
	}
	if _, err := a.Run(ctx, &actions.Env{}, p); err != nil {
		t.Fatal(err)
	}
	fsys := &faultFS{}
	out, err := testAction(fsys).Run(ctx, &actions.Env{}, p)
	if err != nil || out["files_copied"] != int64(0) || out["files_skipped"] != int64(2) || len(fsys.renamed()) != 0 {
		t.Errorf("second run: %v, %v, renamed %v; want nothing copied", out, err, fsys.renamed())
	}
	pr, err = a.Probe(ctx, &actions.Env{}, p)
	if err != nil || pr.State != actions.ProbeDone || pr.Outputs["files_skipped"] != int64(2) {
		t.Errorf("probe after = %+v, %v; want done", pr, err)
	}
}

func TestCopyPatterns(t *testing.T) {
	tests := []struct {
		name             string
		include, exclude []any
		fold             bool
		want             []string
	}{
		{name: "everything at any depth", want: []string{"MGC_3.TRN", "mgc_1.trn", "mgc_2.trn.tmp", "mgccomp_1.trn", "sub/deep/mgc_5.trn", "sub/mgc_4.trn"}},
		{name: "top level only", include: []any{"mgc_*.trn"}, want: []string{"mgc_1.trn"}},
		{name: "case-insensitive as on Windows", include: []any{"mgc_*.trn"}, fold: true, want: []string{"MGC_3.TRN", "mgc_1.trn"}},
		{name: "any depth", include: []any{"**/mgc_*.trn"}, want: []string{"mgc_1.trn", "sub/deep/mgc_5.trn", "sub/mgc_4.trn"}},
		{name: "excluded subtree", include: []any{"**/*.trn"}, exclude: []any{"sub/deep/**", "mgccomp_*"}, want: []string{"mgc_1.trn", "sub/mgc_4.trn"}},
		{name: "alternatives", include: []any{"{mgc,mgccomp}_1.trn"}, want: []string{"mgc_1.trn", "mgccomp_1.trn"}},
	}
	src := t.TempDir()
	for _, f := range []string{"mgc_1.trn", "MGC_3.TRN", "mgccomp_1.trn", "mgc_2.trn.tmp", "sub/mgc_4.trn", "sub/deep/mgc_5.trn"} {
		writeFile(t, src, f, f, 0)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := t.TempDir()
			values := map[string]any{"from": src, "to": dst}
			if tt.include != nil {
				values["include"] = tt.include
			}
			if tt.exclude != nil {
				values["exclude"] = tt.exclude
			}
			a := testAction(&faultFS{})
			a.fold = tt.fold
			if _, err := a.Run(context.Background(), &actions.Env{}, params(t, values)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for name := range dirFiles(t, dst) {
				got = append(got, name)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("copied %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCopyVerifySHA256(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", strings.Repeat("log records ", 10000), 0)
	p := params(t, map[string]any{"from": src, "to": dst, "verify": "sha256"})
	if _, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, p); err != nil {
		t.Fatal(err)
	}
	if got := dirFiles(t, dst)["mgc_1.trn"]; got != strings.Repeat("log records ", 10000) {
		t.Errorf("copy holds %d bytes, want the source's", len(got))
	}

	// A destination that returns other bytes than were written.
	dst2 := t.TempDir()
	fsys := &faultFS{}
	fsys.open = func(name string) (srcFile, error) {
		if strings.HasSuffix(name, partialSuffix) {
			b, _ := os.ReadFile(name)
			b[100] ^= 1
			os.WriteFile(name, b, 0o644)
		}
		return osFS{}.Open(name)
	}
	p.To = dst2
	_, err := testAction(fsys).Run(context.Background(), &actions.Env{}, p)
	if err == nil || !strings.Contains(err.Error(), "its SHA-256 is") || actions.ClassOf(err) != actions.Retryable {
		t.Errorf("err = %v, want a retryable verify failure naming the hashes", err)
	}
	if files := dirFiles(t, dst2); len(files) != 0 {
		t.Errorf("after a failed verify the destination holds %v, want nothing", keys(files))
	}
}

func TestCopyRemovesPartialsOfAnInterruptedRun(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "complete", 0)
	writeFile(t, dst, ".mgc_1.trn.123456."+strings.TrimPrefix(partialSuffix, "."), "compl", 0)
	writeFile(t, dst, ".other.trn.99."+strings.TrimPrefix(partialSuffix, "."), "not ours to judge", 0)
	p := params(t, map[string]any{"from": src, "to": dst})
	if _, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, p); err != nil {
		t.Fatal(err)
	}
	got := keys(dirFiles(t, dst))
	want := []string{".other.trn.99.failover-partial", "mgc_1.trn"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
}

func TestCopyInspect(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "one", 0)
	writeFile(t, src, "mgc_2.trn", "two!", 1)
	writeFile(t, dst, "mgc_1.trn", "one", 0)
	p := params(t, map[string]any{"from": src, "to": dst})
	a := testAction(&faultFS{})
	in, err := a.Inspect(context.Background(), &actions.Env{Mode: actions.ModeCheck}, p)
	if err != nil {
		t.Fatal(err)
	}
	if in.Change != actions.ChangeSome || in.Summary != "would copy 1 of 2 file(s) (4 bytes) from "+src+" to "+dst+"; 1 already there" {
		t.Errorf("inspection %q (%s)", in.Summary, in.Change)
	}
	wantDetails := []string{"copy mgc_2.trn (4 bytes): missing at the destination", "skip mgc_1.trn: already at the destination"}
	if !reflect.DeepEqual(in.Details, wantDetails) {
		t.Errorf("details %q, want %q", in.Details, wantDetails)
	}
	if files := dirFiles(t, dst); len(files) != 1 {
		t.Errorf("inspect changed the destination: %v", keys(files))
	}
	if in.Outputs["files_copied"] != int64(1) || in.Outputs["bytes_copied"] != int64(4) {
		t.Errorf("inspection outputs %v", in.Outputs)
	}
	ref := *p
	ref.From = "${steps.remove.outputs.backup_source_directory}"
	in, err = a.Inspect(context.Background(), &actions.Env{Mode: actions.ModeCheck}, &ref)
	if err != nil || in.Change != actions.ChangeUnknown {
		t.Errorf("inspect with a run-time reference = %+v, %v; want unknown", in, err)
	}
}

func TestCopyPreview(t *testing.T) {
	p := params(t, map[string]any{"from": `\\dc1-fs01\logship\mgc`, "to": `D:\LogShip\mgc`, "include": []any{"mgc_*.trn"}, "verify": "sha256"})
	got, err := copyType().Preview(&actions.Env{Mode: actions.ModePreview}, p)
	want := `copy from \\dc1-fs01\logship\mgc to D:\LogShip\mgc
  include: mgc_*.trn
  only files missing at the destination or differing in size or modification time; each to a temporary name, synced, renamed; modification times kept
  each copy verified by SHA-256
  4 at a time`
	if err != nil || got != want {
		t.Errorf("preview\n%s\nwant\n%s", got, want)
	}
}

func TestCopyLinkInsideTheSourceIsCopiedAsItsFile(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "archive/mgc_1.trn", "the log", 0)
	if err := os.Symlink(filepath.Join(src, "archive", "mgc_1.trn"), filepath.Join(src, "mgc_1.trn")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	p := params(t, map[string]any{"from": src, "to": dst, "include": []any{"*.trn"}})
	if _, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(dst, "mgc_1.trn"))
	if err != nil || !fi.Mode().IsRegular() || dirFiles(t, dst)["mgc_1.trn"] != "the log" {
		t.Errorf("destination: %v, %v; want a regular file with the link's content", fi, err)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCopyFailedSyncRenamesNothing: when the group's sync fails, no copy
// of the group gets its name and no temporary file stays.
func TestCopyFailedSyncRenamesNothing(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "one", 0)
	writeFile(t, src, "mgc_2.trn", "two", 1)
	fsys := &faultFS{}
	fsys.syncFS = func(string) error { return syscall.EIO }
	_, err := testAction(fsys).Run(context.Background(), &actions.Env{}, params(t, map[string]any{"from": src, "to": dst}))
	if err == nil || !strings.Contains(err.Error(), "sync the copies in "+dst) {
		t.Errorf("err = %v, want the failed sync", err)
	}
	if files := dirFiles(t, dst); len(files) != 0 {
		t.Errorf("the destination holds %v, want nothing", keys(files))
	}
}
