package reference

import (
	"bytes"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions/builtin"
)

func TestMarkdownMentionsEveryType(t *testing.T) {
	r := builtin.New()
	md := string(Markdown(r))
	var names []string
	for _, typ := range r.Types("") {
		names = append(names, typ.Name)
		for _, s := range r.ParamSpecs(typ.Name) {
			if !strings.Contains(md, "| `"+s.Name+"` |") {
				t.Errorf("param %s of %s missing", s.Name, typ.Name)
			}
		}
	}
	for _, tt := range r.TargetTypes() {
		names = append(names, tt.Name)
	}
	for _, n := range names {
		if !strings.Contains(md, "### `"+n+"`") {
			t.Errorf("no section for %s", n)
		}
	}
}

func TestMarkdownIsDeterministic(t *testing.T) {
	if !bytes.Equal(Markdown(builtin.New()), Markdown(builtin.New())) {
		t.Error("two runs produced different Markdown")
	}
}

func TestMarkdownRendersTypeDetails(t *testing.T) {
	md := string(Markdown(fakeRegistry()))
	tests := []struct {
		name string
		want string
	}{
		{name: "contents link", want: "- Actions: [`db.query`](#dbquery)"},
		{name: "params row with escaped pipe", want: "| `sql` | string | yes |  |  | T-SQL to run; a \\| b is escaped. |"},
		{name: "enum and default", want: "| `mode` | one of `read`, `write` |  | `read` |  | Access. |"},
		{name: "accepted target", want: "- Target: [`db`](#db)\n"},
		{name: "optional target", want: "- Target: [`db`](#db) (optional)"},
		{name: "idempotency", want: "- Idempotent: no: an in-doubt step needs"},
		{name: "outputs", want: "| `rows` | Rows read. |"},
		{name: "open outputs", want: "More keys than these are returned (open-ended outputs)."},
		{name: "check without params", want: "Parameters (`with`): none."},
		{name: "target type users", want: "Used by: [`db.query`](#dbquery), [`db.up`](#dbup)."},
		{name: "target fields", want: "| `server` | string | yes |  |  | Host. |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(md, tt.want) {
				t.Errorf("Markdown lacks %q:\n%s", tt.want, md)
			}
		})
	}
}

func TestMarkdownShowsSecretAndIdempotency(t *testing.T) {
	md := string(Markdown(builtin.New()))
	for _, want := range []string{
		"| `password` | string |  |  | yes |",
		"| `dsn` | string |  |  | yes |",
		"| `connect_timeout` | duration |  | `30s` |  |",
		"### `wait`",
		"- Idempotent: yes",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}
