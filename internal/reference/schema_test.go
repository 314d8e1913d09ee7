package reference

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/builtin"
	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"
)

// compile generates the schema of r and compiles it.
func compile(t *testing.T, r *actions.Registry) *jsonschema.Schema {
	t.Helper()
	raw, err := Schema(r)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

// instance converts a YAML plan into the JSON value editors validate.
func instance(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatalf("parse YAML: %v", err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("convert YAML to JSON: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// plans returns every .yaml file under dir.
func plans(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestSchemaValidatesExamples(t *testing.T) {
	sch := compile(t, builtin.New())
	files := append(plans(t, filepath.Join("..", "..", "examples")), plans(t, filepath.Join("testdata", "valid"))...)
	if len(files) < 2 {
		t.Fatalf("found %d plans, want the examples and testdata/valid", len(files))
	}
	for _, f := range files {
		t.Run(filepath.ToSlash(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(instance(t, src)); err != nil {
				t.Errorf("%s does not validate:\n%v", f, err)
			}
		})
	}
}

func TestSchemaRejects(t *testing.T) {
	const steps = "version: 1\nname: p\nsteps:\n"
	tests := []struct {
		name string
		plan string
		want string // a word the validation error must contain
	}{
		{name: "unknown top-level key", plan: "version: 1\nname: p\nstep: []\n", want: "'step'"},
		{name: "unknown step key", plan: steps + "  - {id: a, action: wait, with: {duration: 1s}, needz: [b]}\n", want: "'needz'"},
		{name: "unknown with key", plan: steps + "  - {id: a, action: exec.run, with: {program: ls, arg: [x]}}\n", want: "'arg'"},
		{name: "unknown check with key", plan: "version: 1\npreflight:\n  - {check: fs.exists, with: {path: x, kind: dir}}\n", want: "'kind'"},
		{name: "unknown check key", plan: "version: 1\npreflight:\n  - {check: fs.exists, with: {path: x}, wait: 1m}\n", want: "'wait'"},
		{name: "unknown target field", plan: "version: 1\ntargets:\n  db: {type: sqlserver, server: h, pasword: x}\n", want: "'pasword'"},
		{name: "unknown target type", plan: "version: 1\ntargets:\n  db: {type: mysql, server: h}\n", want: "/targets/db/type"},
		{name: "unknown retry key", plan: "version: 1\ndefaults: {retry: {attempts: 2, jitter: true}}\n", want: "'jitter'"},
		{name: "unknown action", plan: steps + "  - {id: a, action: exec.runn}\n", want: "/steps/0/action"},
		{name: "missing required param", plan: steps + "  - {id: a, action: wait, with: {}}\n", want: "duration"},
		{name: "missing with of required param", plan: steps + "  - {id: a, action: wait}\n", want: "with"},
		{name: "bad enum", plan: "version: 1\npreflight:\n  - {check: fs.exists, with: {path: x, type: folder}}\n", want: "folder"},
		{name: "bad rto", plan: "version: 1\nrto: 30\n", want: "/rto"},
		{name: "bad step rto", plan: steps + "  - {id: a, action: wait, rto: soon, with: {duration: 1s}}\n", want: "soon"},
		{name: "bad duration", plan: steps + "  - {id: a, action: wait, with: {duration: 5 minutes}}\n", want: "5 minutes"},
		{name: "bad step id", plan: steps + "  - {id: Copy Logs, action: wait, with: {duration: 1s}}\n", want: "Copy Logs"},
		{name: "target on an action that takes none", plan: steps + "  - {id: a, action: wait, target: db, with: {duration: 1s}}\n", want: "target"},
		{name: "secret with env and file", plan: "version: 1\nsecrets:\n  pw: {env: A, file: b}\n", want: "oneOf"},
		{name: "wrong version", plan: "version: 2\n", want: "1"},
		{name: "int param as list", plan: steps + "  - {id: a, action: exec.run, with: {program: ls, max_output: [1]}}\n", want: "max_output"},
	}
	sch := compile(t, builtin.New())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sch.Validate(instance(t, []byte(tt.plan)))
			if err == nil {
				t.Fatalf("plan validates, want an error:\n%s", tt.plan)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error does not mention %s:\n%v", tt.want, err)
			}
		})
	}
}

func TestSchemaRequiresTargetsOfTypesThatNeedOne(t *testing.T) {
	r := fakeRegistry()
	sch := compile(t, r)
	tests := []struct {
		name string
		plan string
		ok   bool
	}{
		{name: "with target", plan: "version: 1\nsteps:\n  - {id: a, action: db.query, target: db, with: {sql: SELECT 1}}\n", ok: true},
		{name: "without target", plan: "version: 1\nsteps:\n  - {id: a, action: db.query, with: {sql: SELECT 1}}\n"},
		{name: "optional target omitted", plan: "version: 1\npreflight:\n  - {check: db.up}\n", ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sch.Validate(instance(t, []byte(tt.plan)))
			if (err == nil) != tt.ok {
				t.Errorf("valid = %v, want %v (%v)", err == nil, tt.ok, err)
			}
		})
	}
}

func TestSchemaIsDeterministic(t *testing.T) {
	a, err := Schema(builtin.New())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Schema(builtin.New())
	if !bytes.Equal(a, b) {
		t.Error("two runs produced different schemas")
	}
	if !bytes.Contains(a, []byte(`"$schema": "https://json-schema.org/draft/2020-12/schema"`)) {
		t.Error("schema does not declare draft 2020-12")
	}
}

// TestSchemaKeepsRefsAlone guards editor support: draft-07 validators
// (the YAML language server) ignore keywords beside a $ref, so a
// description or default must never sit next to one.
func TestSchemaKeepsRefsAlone(t *testing.T) {
	raw, err := Schema(builtin.New())
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["$ref"]; ok && len(x) > 1 {
				t.Errorf("%s: $ref has siblings %v", path, x)
			}
			for k, e := range x {
				walk(path+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	walk("#", doc)
}

func TestSchemaTakesUnquotedScalarsAsTheLoaderDoes(t *testing.T) {
	sch := compile(t, builtin.New())
	tests := []struct {
		name string
		plan string
		ok   bool
	}{
		{name: "enum value read as a boolean", plan: "version: 1\ntargets:\n  db: {type: sqlserver, server: h, encrypt: true}\n", ok: true},
		{name: "number for a string field", plan: "version: 1\ntargets:\n  db: {type: sqlserver, server: 10, app_name: 42}\n", ok: true},
		{name: "numbers in a list of strings", plan: "version: 1\nsteps:\n  - {id: a, action: exec.run, with: {program: sleep, args: [1, true]}}\n", ok: true},
		{name: "enum value not allowed", plan: "version: 1\ntargets:\n  db: {type: sqlserver, server: h, encrypt: yes}\n"},
		{name: "mapping for a string field", plan: "version: 1\ntargets:\n  db: {type: sqlserver, server: {a: b}}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sch.Validate(instance(t, []byte(tt.plan)))
			if (err == nil) != tt.ok {
				t.Errorf("valid = %v, want %v (%v)", err == nil, tt.ok, err)
			}
		})
	}
}

// TestSchemaAcceptsBasePlans checks that a base plan, which may leave out
// version and name, is not underlined in an editor.
func TestSchemaAcceptsBasePlans(t *testing.T) {
	sch := compile(t, builtin.New())
	tests := []struct {
		name string
		plan string
		ok   bool
	}{
		{name: "base without version or name", plan: "vars: { db: mgc }\nsteps:\n  - {id: a, action: wait, with: {duration: 1s}}\n", ok: true},
		{name: "base with a wrong version", plan: "version: 2\nvars: { db: mgc }\n"},
		{name: "base with an unknown key", plan: "vars: { db: mgc }\nstep: []\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sch.Validate(instance(t, []byte(tt.plan)))
			if (err == nil) != tt.ok {
				t.Errorf("valid = %v, want %v (%v)", err == nil, tt.ok, err)
			}
		})
	}
}
