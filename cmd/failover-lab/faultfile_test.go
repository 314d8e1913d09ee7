package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "4096": 4096, "64KiB": 64 << 10, "64K": 64 << 10, "1MiB": 1 << 20, "2GiB": 2 << 30, "10B": 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5MiB", "lots", "64KB", "9999999999GiB"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

// TestFileFaultsThroughTheCLI: fault add applies a file-system fault at
// once (the share is gone for file steps), fault list says what it does
// and how it stands, fault clear puts the share back.
func TestFileFaultsThroughTheCLI(t *testing.T) {
	dir, env := upLab(t)
	share := env["FAILOVER_LAB_SHARE"]
	files := len(mustEntries(t, share))
	r := mustLab(t, exitOK, "fault", "add", "--dir", dir, "--kind", "share-gone")
	if !strings.HasPrefix(r.stdout, `f1: share-gone \\DC1-FS01\LSBackup: `) {
		t.Errorf("fault add printed %q", r.stdout)
	}
	if _, err := os.Stat(share); !os.IsNotExist(err) {
		t.Errorf("the share is still there after share-gone: %v", err)
	}
	mustLab(t, exitOK, "fault", "add", "--dir", dir, "--kind", "file-growing", "--delay", "1h", "--id", "grow",
		"--path", `D:\LSCopy\mgc\`+mustEntries(t, env["FAILOVER_LAB_COPY_DIR"])[0])
	r = mustLab(t, exitOK, "fault", "list", "--dir", dir)
	for _, want := range []string{"OS error 53", `grow: file-growing D:\LSCopy\mgc\mgc_`, "grows back to its full size over 1h0m0s", "% written]"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("fault list lacks %q:\n%s", want, r.stdout)
		}
	}
	mustLab(t, exitOK, "fault", "clear", "--dir", dir)
	if got := len(mustEntries(t, share)); got != files {
		t.Errorf("%d files on the share after clear, want %d", got, files)
	}
	r = labCmd(t, "fault", "add", "--dir", dir, "--kind", "file-locked", "--path", `E:\x.trn`)
	if r.code != exitFailed || !strings.Contains(r.stderr, "not in the lab's path map") {
		t.Errorf("a path outside the map: exit %d, %s", r.code, r.stderr)
	}
	r = labCmd(t, "fault", "add", "--dir", dir, "--kind", "share-gone", "--free", "1K")
	if r.code != exitUsage || !strings.Contains(r.stderr, "free goes with kind disk-full") {
		t.Errorf("--free on share-gone: exit %d, %s", r.code, r.stderr)
	}
}

func mustEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = filepath.Base(e.Name())
	}
	return names
}
