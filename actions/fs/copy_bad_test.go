package fs

import (
	"context"
	"errors"
	iofs "io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/failover-dev/failover/actions"
)

func TestValidateCopy(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
		err    string
	}{
		{name: "share to local folder", values: map[string]any{"from": `\\dc1-fs01\logship\mgc`, "to": `D:\LogShip\mgc`, "include": []any{"mgc_*.trn"}}},
		{name: "from a step output", values: map[string]any{"from": "${steps.remove.outputs.backup_source_directory}", "to": `D:\LogShip\mgc`}},
		{name: "same directory", values: map[string]any{"from": "/srv/logs", "to": "/srv/logs/"}, err: "from and to are the same directory (/srv/logs)"},
		{name: "destination inside the source", values: map[string]any{"from": "/srv/logs", "to": "/srv/logs/copy"},
			err: "to (/srv/logs/copy) is inside from (/srv/logs): the copy would copy its own output"},
		{name: "source inside the destination", values: map[string]any{"from": "/srv/logs/share", "to": "/srv/logs"},
			err: "from (/srv/logs/share) is inside to (/srv/logs): the copy would write among its own source files"},
		{name: "windows, case and slashes differ", values: map[string]any{"from": `D:\LogShip`, "to": `d:/logship\MGC\copy`},
			err: `to (d:/logship\MGC\copy) is inside from (D:\LogShip): the copy would copy its own output`},
		{name: "UNC inside UNC", values: map[string]any{"from": `\\FS01\LogShip`, "to": `\\fs01\logship\mgc`},
			err: `to (\\fs01\logship\mgc) is inside from (\\FS01\LogShip): the copy would copy its own output`},
		{name: "siblings with a common prefix", values: map[string]any{"from": `D:\LogShip`, "to": `D:\LogShipCopy`}},
		{name: "dot-dot back into the source", values: map[string]any{"from": "/srv/logs", "to": "/srv/other/../logs/copy"},
			err: "to (/srv/other/../logs/copy) is inside from (/srv/logs): the copy would copy its own output"},
		{name: "pattern climbs out", values: map[string]any{"from": "/a", "to": "/b", "include": []any{"../secrets/*"}},
			err: `include item 1 ("../secrets/*"): ".." components are not allowed: a pattern names files below from, never beside or above it`},
		{name: "pattern climbs out in the middle", values: map[string]any{"from": "/a", "to": "/b", "include": []any{"x/../../y"}},
			err: `include item 1 ("x/../../y"): ".." components are not allowed: a pattern names files below from, never beside or above it`},
		{name: "absolute pattern", values: map[string]any{"from": "/a", "to": "/b", "include": []any{"*.trn", "/etc/*"}},
			err: `include item 2 ("/etc/*"): a pattern is relative to from; an absolute pattern would name files outside it`},
		{name: "drive pattern", values: map[string]any{"from": "/a", "to": "/b", "exclude": []any{"C:/Windows/*"}},
			err: `exclude item 1 ("C:/Windows/*"): a pattern is relative to from; an absolute pattern would name files outside it`},
		{name: "backslash pattern", values: map[string]any{"from": "/a", "to": "/b", "include": []any{`sub\*.trn`}},
			err: `include item 1 ("sub\\*.trn"): write directories with / (sub/*.trn): in a glob a backslash escapes the next character`},
		{name: "broken glob", values: map[string]any{"from": "/a", "to": "/b", "include": []any{"mgc_[0-9.trn"}},
			err: `include item 1 ("mgc_[0-9.trn"): not a valid glob (unclosed [ or {?)`},
		{name: "no workers", values: map[string]any{"from": "/a", "to": "/b", "parallel": 0}, err: "parallel must be from 1 to 64, got 0"},
		{name: "empty from", values: map[string]any{"from": " ", "to": "/b"}, err: "from must not be empty"},
		{name: "bad verify", values: map[string]any{"from": "/a", "to": "/b", "verify": "md5"}, err: `parameter "verify": "md5" is not one of none, sha256`},
	}
	typ := copyType()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := typ.Decode(tt.values)
			if err == nil {
				err = typ.Validate(p)
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Errorf("got %v\nwant %q", err, tt.err)
			}
		})
	}
}

// TestCopyNestedThroughALink: to is a link into from, which only the run
// can see.
func TestCopyNestedThroughALink(t *testing.T) {
	src, other := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "log", 0)
	os.Mkdir(filepath.Join(src, "copy"), 0o755)
	link := filepath.Join(other, "copy")
	if err := os.Symlink(filepath.Join(src, "copy"), link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	p := params(t, map[string]any{"from": src, "to": link})
	_, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, p)
	if err == nil || !strings.Contains(err.Error(), "is inside from") || !strings.Contains(err.Error(), "after following links") {
		t.Errorf("err = %v, want the nesting found through the link", err)
	}
}

func TestCopyRefusesALinkOutOfTheSource(t *testing.T) {
	src, dst, outside := t.TempDir(), t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "log", 0)
	secret := writeFile(t, outside, "secret.txt", "not for the copy", 0)
	if err := os.Symlink(secret, filepath.Join(src, "mgc_2.trn")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	p := params(t, map[string]any{"from": src, "to": dst})
	_, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, p)
	if !errors.Is(err, errEscapes) || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), "is a symbolic link to "+secret+", outside from") {
		t.Errorf("err = %v (%s), want a permanent error naming the link and its target", err, actions.ClassOf(err))
	}
	if files := dirFiles(t, dst); len(files) != 0 {
		t.Errorf("the destination holds %v, want nothing copied", keys(files))
	}
}

func TestCopyRefusesADestinationLinkOutOfTo(t *testing.T) {
	src, dst, outside := t.TempDir(), t.TempDir(), t.TempDir()
	writeFile(t, src, "sub/mgc_1.trn", "log", 0)
	if err := os.Symlink(outside, filepath.Join(dst, "sub")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	p := params(t, map[string]any{"from": src, "to": dst})
	_, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, p)
	if !errors.Is(err, errEscapes) || !strings.Contains(err.Error(), "outside to") {
		t.Errorf("err = %v, want the destination link refused", err)
	}
	if files := dirFiles(t, outside); len(files) != 0 {
		t.Errorf("%v written outside the destination", keys(files))
	}
}

func TestCopyDiskFull(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", strings.Repeat("x", 100_000), 0)
	fsys := &faultFS{}
	fsys.createTemp = func(dir, pattern string) (dstFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return &failingWriter{f: f, limit: 40_000, err: syscall.ENOSPC}, nil
	}
	p := params(t, map[string]any{"from": src, "to": dst})
	_, err := testAction(fsys).Run(context.Background(), &actions.Env{}, p)
	want := "copy mgc_1.trn to " + dst + ": the destination disk is full after 40000 of 100000 bytes (the partial copy was removed)"
	if err == nil || !strings.HasPrefix(err.Error(), want) || actions.ClassOf(err) != actions.Permanent {
		t.Errorf("err = %v (%s)\nwant %q…, permanent", err, actions.ClassOf(err), want)
	}
	if files := dirFiles(t, dst); len(files) != 0 {
		t.Errorf("after a full disk the destination holds %v, want the partial copy removed", keys(files))
	}
}

func TestCopyPermissions(t *testing.T) {
	denied := &iofs.PathError{Op: "open", Err: iofs.ErrPermission}
	tests := []struct {
		name  string
		fault func(*faultFS)
		err   string
	}{
		{name: "source file unreadable", fault: func(f *faultFS) {
			f.open = func(name string) (srcFile, error) { return nil, denied }
		}, err: "read %SRC%/mgc_1.trn: permission denied: the account running failover needs read access to the source"},
		{name: "destination not writable", fault: func(f *faultFS) {
			f.createTemp = func(string, string) (dstFile, error) { return nil, denied }
		}, err: "create a temporary file in %DST%: permission denied: the account running failover needs write access to the destination"},
		{name: "source folder not listable", fault: func(f *faultFS) {
			f.readDir = func(name string) ([]iofs.DirEntry, error) { return nil, denied }
		}, err: "list %SRC%: permission denied: the account running failover needs read access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			writeFile(t, src, "mgc_1.trn", "log", 0)
			fsys := &faultFS{}
			tt.fault(fsys)
			_, err := testAction(fsys).Run(context.Background(), &actions.Env{}, params(t, map[string]any{"from": src, "to": dst}))
			want := strings.NewReplacer("%SRC%", src, "%DST%", dst).Replace(tt.err)
			if err == nil || !strings.HasPrefix(err.Error(), want) || actions.ClassOf(err) != actions.Permanent {
				t.Errorf("err = %v (%s)\nwant %q…, permanent", err, actions.ClassOf(err), want)
			}
			if files := dirFiles(t, dst); len(files) != 0 {
				t.Errorf("the destination holds %v", keys(files))
			}
		})
	}
}

// TestCopyPermissionsForReal uses the file modes themselves; root reads
// and writes everything, so it needs another user.
func TestCopyPermissionsForReal(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("root ignores file modes (TestCopyPermissions covers the same errors)")
	}
	src, dst := t.TempDir(), t.TempDir()
	f := writeFile(t, src, "mgc_1.trn", "log", 0)
	os.Chmod(f, 0)
	defer os.Chmod(f, 0o644)
	_, err := testAction(osFS{}).Run(context.Background(), &actions.Env{}, params(t, map[string]any{"from": src, "to": dst}))
	if err == nil || !strings.Contains(err.Error(), "permission denied") || actions.ClassOf(err) != actions.Permanent {
		t.Errorf("err = %v, want permission denied", err)
	}
}

func TestCopyDestinationIsADirectory(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, "mgc_1.trn", "log", 0)
	os.Mkdir(filepath.Join(dst, "mgc_1.trn"), 0o755)
	_, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, params(t, map[string]any{"from": src, "to": dst}))
	if err == nil || !strings.Contains(err.Error(), "is a directory, but") {
		t.Errorf("err = %v", err)
	}
}

func TestCopySourceIsAFile(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	f := writeFile(t, src, "mgc_1.trn", "log", 0)
	_, err := testAction(&faultFS{}).Run(context.Background(), &actions.Env{}, params(t, map[string]any{"from": f, "to": dst}))
	if err == nil || err.Error() != "source "+f+" is a file, not a directory" {
		t.Errorf("err = %v", err)
	}
}
