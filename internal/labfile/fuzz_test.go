package labfile

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecode: no input crashes the reader, every refusal is one of the
// three sentinel errors, and what decodes re-encodes to the same sets.
func FuzzDecode(f *testing.F) {
	valid, err := Encode(testSets(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(Magic))
	f.Add([]byte("random bytes, not a backup"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sets, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNotBackup) && !errors.Is(err, ErrDamaged) {
				t.Fatalf("Decode error %v wraps none of ErrTruncated, ErrNotBackup, ErrDamaged", err)
			}
			return
		}
		again, err := Encode(sets)
		if err != nil {
			t.Fatalf("re-encode decoded sets: %v", err)
		}
		back, err := Decode(again)
		if err != nil || !reflect.DeepEqual(back, sets) {
			t.Fatalf("decode(encode(decode(b))) differs: %v", err)
		}
	})
}

// FuzzResolve: a device path from a statement never escapes the mapped
// folder it resolves into, and a parsed path prints back to itself.
func FuzzResolve(f *testing.F) {
	base := f.TempDir()
	m, err := NewPathMap([]PathMapping{{Windows: `D:\LSCopy\mgc`, Local: filepath.Join(base, "copy")},
		{Windows: `\\DC1-FS01\LSBackup`, Local: filepath.Join(base, "share")}})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{`D:\LSCopy\mgc\x.trn`, `d:/lscopy/mgc/../../../etc`, `\\DC1-FS01\LSBackup\..\..\x`, `\\?\D:\x`, `D:`, "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		w, ok := ParseWinPath(p)
		if ok {
			if again, ok2 := ParseWinPath(w.String()); !ok2 || again.String() != w.String() {
				t.Fatalf("%q parses to %s, which parses to %s (%v)", p, w, again, ok2)
			}
		}
		local, err := m.Resolve(p)
		if err != nil {
			return
		}
		rel, err := filepath.Rel(base, local)
		if err != nil || strings.HasPrefix(rel, "..") || !(strings.HasPrefix(rel, "copy") || strings.HasPrefix(rel, "share")) {
			t.Fatalf("%q resolved to %s, outside the mapped folders", p, local)
		}
	})
}
