package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkHeaderOnly measures one RESTORE HEADERONLY of a chain file
// through the handler, by the lab's local path and by the Windows path
// (the path map, with the file faults checked), in the file's own case and
// in another (the case-insensitive lookup reads the folder).
func BenchmarkHeaderOnly(b *testing.B) {
	dir := b.TempDir()
	cfg := DefaultConfig()
	if err := Init(dir, cfg); err != nil {
		b.Fatal(err)
	}
	st, err := loadState(statePath(dir, "BACKUP"))
	if err != nil {
		b.Fatal(err)
	}
	in := newInstance(st, statePath(dir, "BACKUP"), &faultSet{}, nil)
	if err := in.configure(cfg, dir); err != nil {
		b.Fatal(err)
	}
	in.files = &fileFaults{}
	entries, err := os.ReadDir(cfg.CopyFolder(dir))
	if err != nil || len(entries) == 0 {
		b.Fatal(err)
	}
	name := entries[0].Name()
	s := newFakeSession(51, "master")
	in.Open(s)
	for _, bc := range []struct{ name, path string }{
		{"local", filepath.Join(cfg.CopyFolder(dir), name)},
		{"windows", `D:\LSCopy\mgc\` + name},
		{"windows-other-case", strings.ToUpper(`D:\LSCopy\mgc\` + name)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sql := "RESTORE HEADERONLY FROM DISK = " + quote(bc.path)
			b.ReportAllocs()
			for b.Loop() {
				w := &recWriter{}
				in.Batch(context.Background(), s, sql, w)
				if len(w.errors) > 0 || len(w.results) != 1 {
					b.Fatalf("errors %v", w.errors)
				}
			}
		})
	}
}
