package lab

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func loadConfigText(t *testing.T, text string) (Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return LoadConfig(path)
}

func TestPathsConfig(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		share   string // ShareFolder relative to the lab dir
		copy    string
	}{
		{name: "defaults", yaml: "", share: "share", copy: "copy"},
		{name: "own map and folders",
			yaml: "paths:\n  - {windows: '\\\\FS9\\Logs', local: fs9}\n  - {windows: 'L:\\', local: l}\n" +
				"log_shipping: {share_dir: '\\\\fs9\\logs\\mgc', copy_dir: 'L:\\Copy'}\n",
			share: "fs9/mgc", copy: "l/Copy"},
		{name: "a local share folder, as before the map", yaml: "log_shipping: {share_dir: share, copy_dir: copy}\n", share: "share", copy: "copy"},
		{name: "share outside the map", yaml: "log_shipping: {share_dir: '\\\\DC1-FS02\\LSBackup'}\n",
			wantErr: `log_shipping.share_dir \\DC1-FS02\LSBackup: no entry of paths covers it`},
		{name: "copy outside a map given whole", yaml: "paths: [{windows: '\\\\DC1-FS01\\LSBackup', local: share}]\n",
			wantErr: `log_shipping.copy_dir D:\LSCopy\mgc: no entry of paths covers it (paths: \\DC1-FS01\LSBackup)`},
		{name: "local folder escapes the lab dir", yaml: "paths: [{windows: 'D:\\', local: ../d}]\nlog_shipping: {share_dir: share, copy_dir: copy}\n",
			wantErr: "must be relative to the lab dir and stay inside it"},
		{name: "absolute local folder", yaml: "paths: [{windows: 'D:\\', local: /srv/d}]\nlog_shipping: {share_dir: share, copy_dir: copy}\n",
			wantErr: "must be relative to the lab dir"},
		{name: "not a Windows path", yaml: "paths: [{windows: 'LSBackup', local: share}]\nlog_shipping: {share_dir: share, copy_dir: copy}\n",
			wantErr: `"LSBackup" is not a drive`},
		{name: "unknown key", yaml: "paths: [{window: 'D:\\', local: d}]\n", wantErr: `unknown key "window" in paths[1] (known: local, windows)`},
		{name: "time zone", yaml: "time_zone: Mars/Olympus\n", wantErr: `time_zone "Mars/Olympus": not a time zone`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfigText(t, tt.yaml)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if got, want := c.ShareFolder(dir), filepath.Join(dir, filepath.FromSlash(tt.share)); got != want {
				t.Errorf("share folder = %s, want %s", got, want)
			}
			if got, want := c.CopyFolder(dir), filepath.Join(dir, filepath.FromSlash(tt.copy)); got != want {
				t.Errorf("copy folder = %s, want %s", got, want)
			}
		})
	}
}

// TestInitMakesTheMappedFolders: every mapped folder exists after Init
// (a drive that exists), the chain is in the share and copy folders, and
// Reset removes and remakes them.
func TestInitMakesTheMappedFolders(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the lab dir names are POSIX here")
	}
	tl := newTestLab(t, DefaultConfig())
	for _, sub := range []string{"share", "copy", "backup-d"} {
		if fi, err := os.Stat(filepath.Join(tl.dir, sub)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", sub, err)
		}
	}
	stray := filepath.Join(tl.dir, "backup-d", "stray.txt")
	if err := os.WriteFile(stray, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Reset(tl.dir, DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("Reset kept %s (%v)", stray, err)
	}
	if n := len(mustReadDir(t, tl.share())); n < 12 {
		t.Errorf("share has %d files after Reset", n)
	}
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
