package plans

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/bad")

// TestBadPlans loads every testdata/bad/NAME.yaml, each with one defect,
// and compares its diagnostics with NAME.txt (RenderText) and NAME.json
// (RenderJSON). A bad plan must give exactly one error; a warn-NAME plan
// must give no error and at least one warning.
func TestBadPlans(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) < 35 {
		t.Fatalf("want at least 35 bad plans, found %d (%v)", len(files), err)
	}
	for _, file := range files {
		file = filepath.ToSlash(file)
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			if osErrorText[name] && runtime.GOOS == "windows" {
				t.Skip("the golden file holds a Unix error text")
			}
			p, ds := Load(file, Options{Registry: testRegistry()})
			checkCounts(t, name, p, ds)
			var text, js bytes.Buffer
			if err := RenderText(&text, ds, os.ReadFile); err != nil {
				t.Fatal(err)
			}
			if err := RenderJSON(&js, ds); err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/bad/"+name+".txt", text.Bytes())
			golden(t, "testdata/bad/"+name+".json", js.Bytes())
		})
	}
}

// osErrorText names the bad plans whose message quotes the OS.
var osErrorText = map[string]bool{"extends-missing": true}

func checkCounts(t *testing.T, name string, p *Plan, ds Diagnostics) {
	t.Helper()
	errs, warns := 0, 0
	for _, d := range ds {
		if d.Severity == SeverityError {
			errs++
		} else {
			warns++
		}
	}
	if strings.HasPrefix(name, "warn-") {
		if errs != 0 || warns == 0 || p == nil {
			t.Errorf("want a plan with warnings only, got %d errors, %d warnings:\n%s", errs, warns, textOf(ds))
		}
		return
	}
	if errs != 1 || p != nil {
		t.Errorf("want exactly one error and no plan, got %d errors (plan %v):\n%s", errs, p != nil, textOf(ds))
	}
}

func textOf(ds Diagnostics) string {
	var b bytes.Buffer
	_ = RenderText(&b, ds, nil)
	return b.String()
}

// golden compares got with a golden file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./plans -update to create it): %v", err)
	}
	if !bytes.Equal(bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n")), got) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
