package labfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseWinPath(t *testing.T) {
	tests := []struct {
		in    string
		ok    bool
		want  string
		unc   bool
		parts int
	}{
		{in: `D:\LSCopy\mgc`, ok: true, want: `D:\LSCopy\mgc`, parts: 2},
		{in: `d:/LSCopy/mgc/`, ok: true, want: `D:\LSCopy\mgc`, parts: 2},
		{in: `D:\`, ok: true, want: `D:\`},
		{in: `D:\a\.\b\..\..\..\c`, ok: true, want: `D:\c`, parts: 1},
		{in: `\\DC1-FS01\LSBackup\mgc\x.trn`, ok: true, want: `\\DC1-FS01\LSBackup\mgc\x.trn`, unc: true, parts: 2},
		{in: `//dc1-fs01/LSBackup`, ok: true, want: `\\dc1-fs01\LSBackup`, unc: true},
		{in: `\\DC1-FS01\LSBackup\..\..\x`, ok: true, want: `\\DC1-FS01\LSBackup\x`, unc: true, parts: 1},
		{in: `\\DC1-FS01`}, {in: `\\DC1-FS01\`}, {in: `\\?\D:\x`}, {in: `\\.\pipe\x`},
		{in: `D:x.trn`}, {in: `x.trn`}, {in: `\x.trn`}, {in: `/tmp/lab/copy/x.trn`}, {in: ``}, {in: `D:`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			w, ok := ParseWinPath(tt.in)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, w)
			}
			if !ok {
				return
			}
			if w.String() != tt.want || w.UNC != tt.unc || len(w.Parts) != tt.parts {
				t.Errorf("= %s unc=%v parts=%q, want %s unc=%v with %d parts", w, w.UNC, w.Parts, tt.want, tt.unc, tt.parts)
			}
		})
	}
}

// testMap is the lab's default map over a temporary dir with a share
// (one file in mixed case) and a copy folder.
func testMap(t *testing.T) (PathMap, string) {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"share", "copy", "backup-d/LSCopy"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "share", "mgc_20260105190000.trn"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := NewPathMap([]PathMapping{
		{Windows: `D:\`, Local: filepath.Join(dir, "backup-d")},
		{Windows: `\\DC1-FS01\LSBackup`, Local: filepath.Join(dir, "share")},
		{Windows: `D:\LSCopy\mgc`, Local: filepath.Join(dir, "copy")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, dir
}

func TestPathMapResolve(t *testing.T) {
	m, dir := testMap(t)
	tests := []struct {
		in      string
		want    string // relative to dir
		wantErr error
	}{
		{in: `\\DC1-FS01\LSBackup\mgc_20260105190000.trn`, want: "share/mgc_20260105190000.trn"},
		{in: `\\dc1-fs01\lsbackup\MGC_20260105190000.TRN`, want: "share/mgc_20260105190000.trn"},
		{in: `//DC1-FS01/LSBackup/mgc_20260105190000.trn`, want: "share/mgc_20260105190000.trn"},
		{in: `\\DC1-FS01\LSBackup`, want: "share"},
		{in: `\\DC1-FS01\LSBackup\missing.trn`, want: "share/missing.trn"},
		{in: `D:\LSCopy\mgc\x.trn`, want: "copy/x.trn"},
		{in: `d:\lscopy\MGC\x.trn`, want: "copy/x.trn"},
		{in: `D:\LSCopy\other\x.trn`, want: "backup-d/LSCopy/other/x.trn"},
		{in: `D:\lscopy\x.trn`, want: "backup-d/LSCopy/x.trn"},
		{in: `D:\LSCopy\mgc\..\..\..\..\etc\passwd`, want: "backup-d/etc/passwd"},
		{in: `E:\LSCopy\mgc\x.trn`, wantErr: ErrNotMapped},
		{in: `\\DC1-FS02\LSBackup\x.trn`, wantErr: ErrNotMapped},
		{in: `\\DC1-FS01\Other\x.trn`, wantErr: ErrNotMapped},
		{in: `x.trn`, wantErr: ErrNotWindowsPath},
		{in: filepath.Join(dir, "copy", "x.trn"), wantErr: ErrNotWindowsPath},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := m.Resolve(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Resolve = %q, %v; want %v", got, err, tt.wantErr)
				}
				return
			}
			if want := filepath.Join(dir, filepath.FromSlash(tt.want)); err != nil || got != want {
				t.Errorf("Resolve = %q, %v; want %q", got, err, want)
			}
		})
	}
}

func TestPathMapWindows(t *testing.T) {
	m, dir := testMap(t)
	for local, want := range map[string]string{
		"copy/mgc_1.trn":           `D:\LSCopy\mgc\mgc_1.trn`,
		"share":                    `\\DC1-FS01\LSBackup`,
		"backup-d/LSCopy/mgc.tuf":  `D:\LSCopy\mgc.tuf`,
		"backup-d":                 `D:\`,
		"elsewhere/x.trn":          "",
		"../outside/copy/mgc1.trn": "",
	} {
		got, ok := m.Windows(filepath.Join(dir, filepath.FromSlash(local)))
		if got != want || ok != (want != "") {
			t.Errorf("Windows(%s) = %q, %v; want %q", local, got, ok, want)
		}
	}
}

func TestNewPathMapRefuses(t *testing.T) {
	abs := t.TempDir()
	tests := []struct {
		name string
		ms   []PathMapping
		want string
	}{
		{"relative windows path", []PathMapping{{`LSCopy\mgc`, abs}}, "is not a drive"},
		{"drive-relative", []PathMapping{{`D:LSCopy`, abs}}, "is not a drive"},
		{"local not absolute", []PathMapping{{`D:\`, "copy"}}, "must be an absolute path"},
		{"twice, other case and slashes", []PathMapping{{`\\DC1-FS01\LSBackup`, abs}, {`//dc1-fs01/lsbackup/`, abs}}, "mapped twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPathMap(tt.ms)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPathMapOrderAndString(t *testing.T) {
	m, dir := testMap(t)
	var wins []string
	for _, pm := range m.Mappings() {
		wins = append(wins, pm.Windows)
	}
	if want := []string{`D:\LSCopy\mgc`, `\\DC1-FS01\LSBackup`, `D:\`}; !reflect.DeepEqual(wins, want) {
		t.Errorf("mappings = %q, want longest first %q", wins, want)
	}
	if s := m.String(); !strings.HasPrefix(s, `D:\LSCopy\mgc=`+filepath.Join(dir, "copy")+";") {
		t.Errorf("String = %q", s)
	}
	var zero PathMap
	if _, err := zero.Resolve(`D:\x`); !errors.Is(err, ErrNotMapped) {
		t.Errorf("the zero map resolved D:\\x: %v", err)
	}
}
