package exec

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		ok     bool
		detail string
	}{
		{name: "exit 0 passes", args: []string{"0"}, ok: true, detail: "exited with code 0"},
		{name: "exit 1 fails with the last stderr line", args: []string{"1", "not primary", "role is SECONDARY"}, detail: "exited with code 1: role is SECONDARY"},
		{name: "exit 2 without stderr", args: []string{"2"}, detail: "exited with code 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, detail, err := check(context.Background(), testEnv(&bytes.Buffer{}), helperParams(t, "exit", tt.args...))
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			if ok != tt.ok || !strings.HasSuffix(detail, tt.detail) {
				t.Errorf("check = %v, %q; want %v, …%q", ok, detail, tt.ok, tt.detail)
			}
		})
	}
}

func TestCheckMissingProgramIsAnError(t *testing.T) {
	_, _, err := check(context.Background(), testEnv(&bytes.Buffer{}), &Params{Program: "failover-no-such-program", MaxOutput: 10})
	if err == nil || actions.ClassOf(err) != actions.Permanent {
		t.Fatalf("err = %v, want a permanent error", err)
	}
}

func TestRegisteredTypes(t *testing.T) {
	r := actions.NewRegistry()
	Register(r)
	tests := []struct {
		name string
		kind actions.Kind
	}{
		{name: "exec.run", kind: actions.KindAction},
		{name: "exec.check", kind: actions.KindCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := r.Type(tt.name)
			if typ == nil || typ.Kind != tt.kind || typ.Idempotent {
				t.Fatalf("type = %+v, want a non-idempotent %s", typ, tt.kind)
			}
			p, err := actions.Decode(typ.Params, map[string]any{"program": "ls", "args": []any{"-l", 3}})
			if err != nil {
				t.Fatal(err)
			}
			got := p.(*Params)
			if got.MaxOutput != DefaultMaxOutput || got.Args[1] != "3" {
				t.Errorf("decoded %+v, want max_output %d and args [-l 3]", got, DefaultMaxOutput)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		params Params
		err    string
	}{
		{name: "valid", params: Params{Program: "sqlcmd", MaxOutput: 100}},
		{name: "empty program", params: Params{MaxOutput: 100}, err: "program must not be empty"},
		{name: "max_output zero", params: Params{Program: "x"}, err: "max_output must be between 1 and 16777216, got 0"},
		{name: "max_output too big", params: Params{Program: "x", MaxOutput: 1 << 30}, err: "max_output must be between"},
		{name: "env name with =", params: Params{Program: "x", MaxOutput: 1, Env: map[string]string{"A=B": "c"}}, err: `env: "A=B" is not a valid variable name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validate(&tt.params)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)) {
				t.Errorf("validate = %v, want %q", err, tt.err)
			}
		})
	}
}
