package plans

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestLongValuesCut loads plans that hold megabyte-long values where a
// message names them: each message shows the first 80 characters and
// the length, and stays short.
func TestLongValuesCut(t *testing.T) {
	mb := strings.Repeat("x", 1_000_000)
	head := "version: 1\nname: x\n"
	tests := []struct {
		name, text, want string
	}{
		{"a step id", head + "steps:\n  - { id: " + mb + ", action: exec.run, with: { program: echo } }\n",
			`bad step id "` + mb[:80] + `…" (1000000 characters): start with`},
		{"a needs entry", head + "steps:\n  - { id: a, action: exec.run, with: { program: echo }, needs: [" + mb + "] }\n",
			`step "a" needs unknown step "` + mb[:80] + `…" (1000000 characters)`},
		{"an unknown key", head + "steps:\n  - id: a\n    action: exec.run\n    with: { program: echo }\n    ? " + mb + "\n    : 1\n",
			`unknown key "` + mb[:80] + `…" (1000000 characters) in a step`},
		{"a duration", head + "steps:\n  - { id: a, action: exec.run, with: { program: echo }, timeout: " + mb + " }\n",
			`timeout: "` + mb[:80] + `…" (1000000 characters) is not a duration`},
		{"an unterminated reference", head + "description: '${" + mb + "'\nsteps: []\n",
			`unterminated reference "${` + mb[:78] + `…" (1000002 characters): missing }`},
		{"an action type", head + "steps:\n  - { id: a, action: " + mb + " }\n", `unknown action type "` + mb[:80] + `…" (1000000 characters)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(map[string]string{"p.yaml": tt.text})})
			if !ds.HasErrors() || !strings.HasPrefix(ds[0].Message, tt.want) {
				t.Fatalf("want first %q…, got:\n%.2000s", tt.want, textOf(ds))
			}
			for _, d := range ds {
				if n := utf8.RuneCountInString(d.Message); n > maxMessage+40 {
					t.Errorf("a message of %d characters: %.300s…", n, d.Message)
				}
			}
		})
	}
}

func TestMessageCuts(t *testing.T) {
	long := strings.Repeat("é", 200)
	tests := []struct {
		name   string
		format string
		args   []any
		want   string
	}{
		{"a short value", "id %q", []any{"abc"}, `id "abc"`},
		{"a value at the threshold", "id %s", []any{long[:2*clipAbove]}, "id " + long[:2*clipAbove]},
		{"a long value, quoted", "id %q!", []any{long}, `id "` + long[:2*clipTo] + `…" (200 characters)!`},
		{"a long value", "id %s!", []any{long}, "id " + long[:2*clipTo] + "… (200 characters)!"},
		{"composed text is whole", "cycle: %s", []any{composed(long)}, "cycle: " + long},
		{"an integer", "%d", []any{42}, "42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := message(tt.format, tt.args)
			if !strings.HasPrefix(got, tt.want) {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	if got := message("%s", []any{composed(strings.Repeat("a", 5000))}); got != strings.Repeat("a", maxMessage)+"… (5000 characters in all)" {
		t.Errorf("a message of 5000 characters: %q", got)
	}
}

// TestPlanNameLength checks the limit on a plan's name: 100 characters.
func TestPlanNameLength(t *testing.T) {
	for _, n := range []int{1, maxNameLen, maxNameLen + 1, 300} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			text := "version: 1\nname: " + strings.Repeat("a", n) + "\nsteps:\n  - { id: a, action: exec.run, with: { program: echo } }\n"
			p, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(map[string]string{"p.yaml": text})})
			want := fmt.Sprintf("plan name is %d characters long, more than 100", n)
			switch {
			case n <= maxNameLen && (p == nil || ds.HasErrors()):
				t.Fatalf("a name of %d characters: want a valid plan, got:\n%s", n, textOf(ds))
			case n > maxNameLen && (p != nil || len(ds) != 1 || !strings.HasPrefix(ds[0].Message, want) || ds[0].Pos != Pos{File: "p.yaml", Line: 2, Col: 7}):
				t.Fatalf("a name of %d characters: want one error at 2:7 %q…, got:\n%s", n, want, textOf(ds))
			}
		})
	}
}
