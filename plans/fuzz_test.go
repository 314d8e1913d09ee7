package plans

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLoad loads arbitrary bytes as a plan (with the test bases beside
// it, for extends) and checks that Load (and BaseFiles) never panics and keeps its
// contract: a plan exactly when there is no error, every diagnostic with
// a file and a message of at most maxMessage characters (and the length
// it gives), and nothing of the plan printed as it is: the rendered
// findings hold no control character but line feeds and tabs.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	files := map[string]string{}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		files[filepath.ToSlash(s)] = string(data)
		f.Add(data)
	}
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := map[string]string{"testdata/bad/fuzz.yaml": string(data)}
		for k, v := range files {
			mem[k] = v
		}
		opts := Options{Registry: reg, ReadFile: memFiles(mem)}
		_ = BaseFiles("testdata/bad/fuzz.yaml", opts) // must not panic either
		p, ds := Load("testdata/bad/fuzz.yaml", opts)
		if (p != nil) == ds.HasErrors() {
			t.Fatalf("plan returned = %v with errors = %v", p != nil, ds.HasErrors())
		}
		for _, d := range ds {
			if d.Pos.File == "" || d.Message == "" {
				t.Fatalf("diagnostic without a file or message: %+v", d)
			}
			if n := utf8.RuneCountInString(d.Message); n > maxMessage+40 {
				t.Fatalf("a message of %d characters: %.200q…", n, d.Message)
			}
		}
		var text bytes.Buffer
		if err := RenderText(&text, ds, memFiles(mem)); err != nil {
			t.Fatal(err)
		}
		if i := strings.IndexFunc(text.String(), func(r rune) bool { return r != '\n' && r != '\t' && mustEscape(r, false) }); i >= 0 {
			t.Fatalf("rendered findings print %q as it is:\n%s", text.String()[i:i+1], text.String())
		}
		if !utf8.Valid(text.Bytes()) {
			t.Fatalf("rendered findings are not UTF-8:\n%q", text.String())
		}
	})
}
