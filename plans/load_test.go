package plans

import (
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// memFiles serves plan files from memory, keyed by slash paths.
func memFiles(files map[string]string) func(string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		s, ok := files[filepath.ToSlash(path)]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		return []byte(s), nil
	}
}

// mustLoad loads a plan that must be valid.
func mustLoad(t *testing.T, path string, opts Options) *Plan {
	t.Helper()
	if opts.Registry == nil {
		opts.Registry = testRegistry()
	}
	p, ds := Load(path, opts)
	if p == nil || ds.HasErrors() {
		t.Fatalf("load %s: want a valid plan, got:\n%s", path, textOf(ds))
	}
	return p
}

func TestLoadExamplePlan(t *testing.T) {
	p := mustLoad(t, "testdata/good/pchat.yaml", Options{})
	if p.Name != "pchat-failover-dc2" || p.Version != 1 || p.Deadline != 2*time.Hour {
		t.Errorf("name, version, deadline = %q, %d, %v", p.Name, p.Version, p.Deadline)
	}
	if s := p.Secrets["sql_password"]; s == nil || s.Env != "FAILOVER_SQL_PASSWORD" {
		t.Errorf("secret sql_password = %+v", s)
	}
	if tg := p.Targets["backup_sql"]; tg == nil || tg.Type != "sqlserver" || tg.Fields["password"].Kind != KindTemplate {
		t.Errorf("target backup_sql = %+v", tg)
	}
	copyStep := p.Step("copy-backups")
	wantRetry := Retry{Attempts: 5, Delay: 5 * time.Second, Backoff: 2, MaxDelay: time.Minute, On: "retryable"}
	if copyStep.Retry != wantRetry || copyStep.Timeout != 10*time.Minute {
		t.Errorf("copy-backups retry, timeout = %+v, %v; want %+v, 10m", copyStep.Retry, copyStep.Timeout, wantRetry)
	}
	if !copyStep.Idempotent {
		t.Error("copy-backups: fs.copy is idempotent, the step must say so")
	}
	if got := p.Step("count-logs").Timeout; got != 30*time.Second {
		t.Errorf("count-logs timeout = %v, want 30s", got)
	}
	set := p.Step("set-pool-state")
	if !reflect.DeepEqual(set.Deps, []string{"count-logs"}) {
		t.Errorf("set-pool-state deps = %v, want the implicit [count-logs]", set.Deps)
	}
	if r := set.Require[0]; r.Wait != 10*time.Minute || r.Interval != defaultInterval {
		t.Errorf("require wait, interval = %v, %v", r.Wait, r.Interval)
	}
	params := set.With.Map["params"]
	if servers := params.Map["Servers"]; servers.Kind != KindList || len(servers.List) != 2 {
		t.Errorf("${vars.active_servers} must stay a list, got %+v", servers)
	}
	if id := params.Map["Identity"]; id.Kind != KindString || id.Str != "service:atl-cs-001.litwareinc.com" {
		t.Errorf("Identity = %+v", id)
	}
	if got := p.Graph.Levels; len(got) != 5 || got[0][0] != "remove-log-shipping" {
		t.Errorf("levels = %v", got)
	}
}

func TestRunTimeReferencesStay(t *testing.T) {
	p := mustLoad(t, "testdata/good/pchat.yaml", Options{})
	with := p.Step("notify").With
	args := with.Map["args"].List
	tests := []struct {
		name string
		v    *Value
		want any
	}{
		{"run id", args[1], "${run.id}"},
		{"plan name substituted", args[3], "pchat-failover-dc2"},
		{"escaped literal", args[4], "${literal}"},
		{"env", with.Map["env"].Map["HOME"], "${env.HOME}"},
		{"secret masked in display", with.Map["token"], "(secret)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "escaped literal" {
				if tt.v.Kind != KindString || tt.v.Str != tt.want {
					t.Errorf("got %+v, want the literal string %q", tt.v, tt.want)
				}
				return
			}
			if got := tt.v.Display(); got != tt.want {
				t.Errorf("Display() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExtendsChain(t *testing.T) {
	files := map[string]string{
		"dc2/failover.yaml": "extends: ../common/site.yaml\nversion: 1\nname: dc2-failover\n" +
			"vars: { database: mgc-dc2 }\ntargets: { sql: { server: dc2-sql01 } }\n" +
			"steps:\n  - { id: last, action: approval }\n",
		"common/site.yaml": "extends: base.yaml\nname: site\nvars: { share: site-share }\n" +
			"steps:\n  - { id: middle, action: approval, needs: [first] }\n",
		"common/base.yaml": "version: 1\nname: base\nvars: { database: mgc, share: base-share, pool: p1 }\n" +
			"secrets: { pw: { file: keys/pw.txt }, key: { file: 'C:\\keys\\k.txt' } }\n" +
			"targets: { sql: { type: sqlserver, server: base-sql01, port: 1433 } }\n" +
			"steps:\n  - { id: first, action: approval }\n",
	}
	p := mustLoad(t, "dc2/failover.yaml", Options{ReadFile: memFiles(files)})
	wantVars := map[string]any{"database": "mgc-dc2", "share": "site-share", "pool": "p1"}
	if !reflect.DeepEqual(p.Vars, wantVars) {
		t.Errorf("vars = %v, want %v", p.Vars, wantVars)
	}
	if got := p.Targets["sql"]; got.Type != "sqlserver" || got.Fields["server"].Str != "dc2-sql01" || got.Fields["port"].Int != 1433 {
		t.Errorf("target sql merged wrong: %+v", got)
	}
	var ids, files2 []string
	for _, s := range p.Steps {
		ids = append(ids, s.ID)
		files2 = append(files2, filepath.ToSlash(s.Pos.File))
	}
	if want := []string{"first", "middle", "last"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("steps = %v, want base steps first: %v", ids, want)
	}
	if want := []string{"common/base.yaml", "common/site.yaml", "dc2/failover.yaml"}; !reflect.DeepEqual(files2, want) {
		t.Errorf("step positions in files %v, want %v", files2, want)
	}
	if got := filepath.ToSlash(p.Secrets["pw"].File); got != "../common/keys/pw.txt" {
		t.Errorf("secret file declared in a base = %q, want it relative to the plan's directory", got)
	}
	if got := p.Secrets["key"].File; got != `C:\keys\k.txt` {
		t.Errorf("absolute Windows secret file = %q, want it as written", got)
	}
	if p.Name != "dc2-failover" {
		t.Errorf("name = %q, the including file must win", p.Name)
	}
}

func TestVarOverrideOrder(t *testing.T) {
	files := map[string]string{
		"plan.yaml": "version: 1\nname: vars\nvars: { a: plan, b: plan, c: plan, d: plan }\n" +
			"steps:\n  - id: s\n    action: exec.run\n    with: { program: x, args: ['${vars.a}', '${vars.b}', '${vars.c}', '${vars.d}'] }\n",
		"one.yaml":   "b: one\nc: one\nd: one\n",
		"two.yaml":   "c: two\nd: two\n",
		"empty.yaml": "# dc3 overrides nothing\r\n",
	}
	p := mustLoad(t, "plan.yaml", Options{ReadFile: memFiles(files),
		VarsFiles: []string{"one.yaml", "empty.yaml", "two.yaml"}, Vars: []string{"d=flag1", "d=flag2=x"}})
	got := p.Step("s").With.Map["args"].Display()
	want := []any{"plan", "one", "two", "flag2=x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("args = %v, want %v (plan < vars files in order < --var in order)", got, want)
	}
}

func TestTypeKeepingReferences(t *testing.T) {
	files := map[string]string{"plan.yaml": `version: 1
name: types
vars:
  n: 3
  ratio: 0.5
  on: true
  list: [a, b]
  env: { A: x }
  nested: { inner: { port: 1433 } }
  text: "n=${vars.n}"
steps:
  - id: s
    action: exec.run
    retry: { attempts: "${vars.n}" }
    continue_on_failure: ${vars.on}
    with: { program: "${vars.text}", args: "${vars.list}", env: "${vars.env}", retries: "${vars.nested.inner.port}", ratio: "${vars.ratio}" }
`}
	p := mustLoad(t, "plan.yaml", Options{ReadFile: memFiles(files)})
	s := p.Step("s")
	tests := []struct {
		name string
		v    *Value
		kind ValueKind
	}{
		{"string with an int inside", s.With.Map["program"], KindString},
		{"list stays a list", s.With.Map["args"], KindList},
		{"map stays a map", s.With.Map["env"], KindMap},
		{"indexed int stays an int", s.With.Map["retries"], KindInt},
		{"float stays a float", s.With.Map["ratio"], KindFloat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.v.Kind != tt.kind {
				t.Errorf("kind = %d, want %d (%+v)", tt.v.Kind, tt.kind, tt.v)
			}
		})
	}
	if s.With.Map["program"].Str != "n=3" || s.Retry.Attempts != 3 || !s.ContinueOnFailure {
		t.Errorf("program %q, attempts %d, continue %v", s.With.Map["program"].Str, s.Retry.Attempts, s.ContinueOnFailure)
	}
}

func TestEngineDefaults(t *testing.T) {
	files := map[string]string{"plan.yaml": "version: 1\nname: d\nsteps:\n  - { id: s, action: approval }\n"}
	p := mustLoad(t, "plan.yaml", Options{ReadFile: memFiles(files)})
	s := p.Steps[0]
	if s.Retry != engineRetry || s.Timeout != 0 || s.With == nil || s.With.Kind != KindMap {
		t.Errorf("retry %+v timeout %v with %+v; want engine defaults and an empty map", s.Retry, s.Timeout, s.With)
	}
	want := Retry{Attempts: 1, Delay: time.Second, Backoff: 2, MaxDelay: time.Minute, On: "retryable"}
	if engineRetry != want {
		t.Errorf("engine retry defaults = %+v, want %+v", engineRetry, want)
	}
}

func TestLoadErrorsOutsidePlans(t *testing.T) {
	files := map[string]string{"plan.yaml": "version: 1\nname: d\nsteps:\n  - { id: s, action: approval }\n"}
	tests := []struct {
		name string
		path string
		opts Options
		want string
	}{
		{"missing plan file", "nope.yaml", Options{}, "read plan: open nope.yaml"},
		{"no registry", "plan.yaml", Options{Registry: nil}, "no action registry"},
		{"malformed --var", "plan.yaml", Options{Vars: []string{"novalue"}}, `malformed --var "novalue"`},
		{"bad --var name", "plan.yaml", Options{Vars: []string{"a.b=1"}}, `malformed --var "a.b=1"`},
		{"missing vars file", "plan.yaml", Options{VarsFiles: []string{"v.yaml"}}, "read vars file: open v.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.ReadFile = memFiles(files)
			if tt.name != "no registry" {
				tt.opts.Registry = testRegistry()
			}
			p, ds := Load(tt.path, tt.opts)
			if p != nil || len(ds) != 1 || !strings.Contains(ds[0].Message, tt.want) {
				t.Errorf("want one error containing %q, got plan %v:\n%s", tt.want, p != nil, textOf(ds))
			}
		})
	}
}

func TestReportsEveryDiagnostic(t *testing.T) {
	files := map[string]string{"plan.yaml": `version: 1
name: many
vars: { db: mgc }
steps:
  - id: a
    action: fs.cpy
  - id: b
    action: sql.exec
    needs: [c]
    with: { database: "${vars.dbb}", query: "SELECT 1", dst: x }
  - id: b
    action: approval
    timeout: soon
`}
	_, ds := Load("plan.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(files)})
	want := []string{
		`6:13: error: unknown action type "fs.cpy"`,
		`7:5: error: sql.exec needs a target of type sqlserver`,
		`10:24: error: undefined variable "dbb"`,
		`10:57: error: unknown parameter "dst" for sql.exec`,
		`11:9: error: duplicate step id "b"`,
		`13:14: error: timeout: "soon" is not a duration`,
		`9:13: error: step "b" needs unknown step "c"`,
	}
	text := textOf(ds)
	if len(ds) != len(want) {
		t.Errorf("want %d diagnostics, got:\n%s", len(want), text)
	}
	for _, w := range want {
		if !strings.Contains(text, "plan.yaml:"+w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

func TestVarsInStructureFields(t *testing.T) {
	p := mustLoad(t, "testdata/good/vars-everywhere.yaml", Options{Vars: []string{"site=dc3"}})
	s := p.Step("count")
	checks := []struct {
		name      string
		got, want any
	}{
		{"plan description", p.Description, "Fail over dc3 (vars-everywhere)"},
		{"secret file", p.Secrets["sql_password"].File, "keys/sql.txt"},
		{"target field", p.Targets["backup_sql"].Fields["server"].Str, "dc3-sql01"},
		{"default timeout", s.Timeout, 90 * time.Second},
		{"default retry attempts", s.Retry.Attempts, 4},
		{"step target", s.Target, "backup_sql"},
		{"step description", s.Description, "Count on dc3"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}
