package fs

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/failover-dev/failover/actions"
)

func TestExists(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mgc_0100.trn")
	if err := os.WriteFile(file, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.trn")
	tests := []struct {
		name   string
		params ExistsParams
		ok     bool
		detail string
		unix   bool // a UNC path is a plain relative name on Unix
	}{
		{name: "file exists", params: ExistsParams{Path: file, Type: "any"}, ok: true, detail: file + " exists (a file of 100 bytes)"},
		{name: "dir exists", params: ExistsParams{Path: dir, Type: "dir"}, ok: true, detail: dir + " exists (a directory)"},
		{name: "missing", params: ExistsParams{Path: missing, Type: "any"}, detail: missing + " does not exist"},
		{name: "file wanted, dir found", params: ExistsParams{Path: dir, Type: "file"}, detail: dir + " is a directory, want a file"},
		{name: "dir wanted, file found", params: ExistsParams{Path: file, Type: "dir"}, detail: file + " is a file of 100 bytes, want a directory"},
		{name: "big enough", params: ExistsParams{Path: file, Type: "file", MinSize: 100}, ok: true},
		{name: "too small", params: ExistsParams{Path: file, Type: "any", MinSize: 101}, detail: file + " has 100 bytes, want at least 101"},
		{name: "min_size on a dir", params: ExistsParams{Path: dir, Type: "any", MinSize: 1}, detail: dir + " is a directory, want a file of at least 1 bytes"},
		{name: "absent and absent", params: ExistsParams{Path: missing, Type: "any", Absent: true}, ok: true, detail: missing + " does not exist"},
		{name: "absent but present", params: ExistsParams{Path: file, Type: "any", Absent: true}, detail: file + " exists (a file of 100 bytes)"},
		{name: "UNC share not reachable here", params: ExistsParams{Path: `\\dc1-sql01\logship\mgc`, Type: "dir"}, detail: `\\dc1-sql01\logship\mgc does not exist`, unix: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unix && runtime.GOOS == "windows" {
				t.Skip("would look for the share on the network")
			}
			ok, detail, err := exists(context.Background(), &actions.Env{}, &tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok || tt.detail != "" && detail != tt.detail {
				t.Errorf("exists = %v, %q; want %v, %q", ok, detail, tt.ok, tt.detail)
			}
		})
	}
}

func TestValidateExists(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
		err    string
	}{
		{name: "windows path", values: map[string]any{"path": `D:\LogShip\mgc`, "type": "dir"}},
		{name: "UNC share", values: map[string]any{"path": `\\dc1-sql01\logship\mgc`}},
		{name: "bad type", values: map[string]any{"path": "x", "type": "folder"}, err: `parameter "type": "folder" is not one of any, file, dir`},
		{name: "missing path", values: map[string]any{}, err: `missing required parameter "path"`},
		{name: "empty path", values: map[string]any{"path": ""}, err: "path must not be empty"},
		{name: "negative size", values: map[string]any{"path": "x", "min_size": -1}, err: "min_size must not be negative, got -1"},
		{name: "absent with type", values: map[string]any{"path": "x", "absent": true, "type": "file"}, err: "absent: true excludes type and min_size"},
		{name: "absent with size", values: map[string]any{"path": "x", "absent": true, "min_size": 3}, err: "absent: true excludes type and min_size"},
		{name: "size on dir", values: map[string]any{"path": "x", "type": "dir", "min_size": 3}, err: "min_size applies to files, not to type: dir"},
	}
	r := actions.NewRegistry()
	Register(r)
	typ := r.Type("fs.exists")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := actions.Decode(typ.Params, tt.values)
			if err == nil {
				err = typ.Validate(p)
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Errorf("got %v, want %q", err, tt.err)
			}
		})
	}
}

func TestExistsSpecialFile(t *testing.T) {
	if _, err := os.Stat(os.DevNull); err != nil || runtime.GOOS == "windows" {
		t.Skip("no device file to look at")
	}
	ok, detail, err := exists(context.Background(), &actions.Env{}, &ExistsParams{Path: os.DevNull, Type: "file"})
	if err != nil || ok || detail != os.DevNull+" is a device, want a file" {
		t.Errorf("exists(%s) = %v, %q, %v; want a failed check naming a device", os.DevNull, ok, detail, err)
	}
}
