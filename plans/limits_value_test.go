package plans

import (
	"fmt"
	"strings"
	"testing"
)

// doublingVars writes a plan whose vars each hold the one before twice
// (the tests keep n small enough for a plan loaded without limits),
// from 16 bytes: var n holds 16 × 2^n bytes. The last is used by a step.
func doublingVars(n int, first string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: x\nsecrets: { pw: { env: PW } }\nvars:\n  v0: '%s'\n", first)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  v%d: '${vars.v%d}${vars.v%d}'\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "steps:\n  - id: a\n    action: exec.run\n    with: { program: echo, args: ['${vars.v%d}'] }\n", n-1)
	return b.String()
}

// nestedLists writes a plan whose vars nest a string of size bytes in
// lists of ten, depth deep, the last used by a step.
func nestedLists(size, depth int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: x\nvars:\n  l0: '%s'\n", strings.Repeat("x", size))
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "  l%d: [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("'${vars.l%d}', ", i-1), 10), ", "))
	}
	fmt.Fprintf(&b, "steps:\n  - id: a\n    action: exec.run\n    with: { program: echo, args: '${vars.l%d}' }\n", depth)
	return b.String()
}

// manyUses writes a plan of n steps that each use a var of size bytes.
func manyUses(size, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: x\nvars:\n  big: '%s'\nsteps:\n", strings.Repeat("x", size))
	for i := range n {
		fmt.Fprintf(&b, "  - { id: s%d, action: exec.run, with: { program: '${vars.big}' } }\n", i)
	}
	return b.String()
}

// TestValueLimits loads plans whose values substitution would make huge:
// each gets one error, at the reference (or value) that passes the
// limit, before the huge value is built.
func TestValueLimits(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		limits Limits
		want   string
		at     Pos
	}{
		{"doubling strings, the default limit", doublingVars(20, strings.Repeat("x", 16)), Limits{},
			"${vars.v16} makes vars.v17 longer than 1 MiB, the most one value may hold once vars are substituted", Pos{Line: 22, Col: 20}},
		{"doubling strings, a configured limit", doublingVars(20, strings.Repeat("x", 16)), Limits{ValueSize: 100},
			"${vars.v2} makes vars.v3 longer than 100 bytes", Pos{Line: 8, Col: 18}},
		{"doubling run-time references", doublingVars(20, "${secrets.pw}"), Limits{},
			"${vars.v16} makes vars.v17 longer than 1 MiB", Pos{Line: 22, Col: 20}},
		{"a long string written out", "version: 1\nname: x\ndescription: 'abcdefghijk'\nsteps: []\n", Limits{ValueSize: 10},
			"this value is longer than 10 bytes", Pos{Line: 3, Col: 14}},
		{"a var used by many steps", manyUses(10_000, 200), Limits{TotalSize: 1 << 20}, // the 105th use passes 1 MiB
			"vars substituted here bring the plan's values to more than 1 MiB", Pos{Line: 110, Col: 53}},
		{"nested lists of a long string", nestedLists(64<<10, 3), Limits{}, // at the 10th item of l3
			"vars substituted here bring the plan's values to more than 64 MiB", Pos{Line: 7, Col: 135}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := Load("p.yaml", Options{Registry: testRegistry(), Limits: tt.limits,
				ReadFile: memFiles(map[string]string{"p.yaml": tt.text})})
			tt.at.File = "p.yaml"
			if p != nil || countErrors(ds) != 1 || !strings.HasPrefix(ds[0].Message, tt.want) || ds[0].Pos != tt.at {
				t.Fatalf("want one error at %v: %q…, got:\n%s", tt.at, tt.want, textOf(ds))
			}
		})
	}
}

// TestValuesWithinLimits loads plans that reach the limits without
// passing them.
func TestValuesWithinLimits(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		limits Limits
	}{
		{"doubling strings up to 1 MiB", doublingVars(17, strings.Repeat("x", 16)), Limits{}},
		{"a string of exactly the limit", "version: 1\nname: x\ndescription: 'abcdefghij'\nsteps: []\n", Limits{ValueSize: 10}},
		{"a var used by many steps", manyUses(10_000, 100), Limits{TotalSize: 1 << 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Load("p.yaml", Options{Registry: testRegistry(), Limits: tt.limits,
				ReadFile: memFiles(map[string]string{"p.yaml": tt.text})})
			if ds.HasErrors() {
				t.Fatalf("want a valid plan, got:\n%s", textOf(ds))
			}
		})
	}
}

// TestFileSizeLimit reads a plan and a vars file larger than the limit.
func TestFileSizeLimit(t *testing.T) {
	files := memFiles(map[string]string{
		"p.yaml":    "version: 1\nname: x\nsteps: []\n",
		"vars.yaml": "a: '" + strings.Repeat("x", 100) + "'\n",
	})
	_, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: files, Limits: Limits{FileSize: 20}})
	if len(ds) != 1 || ds[0].Message != "read plan: p.yaml is larger than 20 bytes, the most a plan or vars file may hold (FAILOVER_MAX_FILE_SIZE sets the limit)" {
		t.Errorf("plan over the limit: got:\n%s", textOf(ds))
	}
	_, ds = Load("p.yaml", Options{Registry: testRegistry(), ReadFile: files, Limits: Limits{FileSize: 60}, VarsFiles: []string{"vars.yaml"}})
	if !ds.HasErrors() || !strings.Contains(ds[0].Message, "read vars file: vars.yaml is larger than 60 bytes") {
		t.Errorf("vars file over the limit: got:\n%s", textOf(ds))
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0 bytes"}, {1023, "1023 bytes"}, {1024, "1 KiB"}, {1536, "1.5 KiB"}, {1 << 20, "1 MiB"}, {16 << 20, "16 MiB"}, {5 << 30, "5 GiB"}}
	for _, tt := range tests {
		if got := FormatSize(tt.n); got != tt.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func countErrors(ds Diagnostics) int {
	n := 0
	for _, d := range ds {
		if d.Severity == SeverityError {
			n++
		}
	}
	return n
}
