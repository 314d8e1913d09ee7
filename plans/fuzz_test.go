package plans

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad loads arbitrary bytes as a plan (with the test bases beside
// it, for extends) and checks that Load (and BaseFiles) never panics and keeps its
// contract: a plan exactly when there is no error, every diagnostic with
// a file.
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
		}
	})
}
