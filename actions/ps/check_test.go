package ps

import (
	"context"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := newLab(t)
	env := open(t, shellTarget(t, dir), nil)
	state := "(Get-CsPersistentChatState -Identity 'service:atl-cs-001.litwareinc.com').PoolState"
	tests := []struct {
		name   string
		p      *CheckParams
		ok     bool
		detail string
	}{
		{name: "equals", p: &CheckParams{Script: state, Expect: "Normal"}, ok: true, detail: `the script: got "Normal", as expected ("Normal")`},
		{name: "differs", p: &CheckParams{Script: state, Expect: "FailedOver"}, detail: `the script: expected "FailedOver", got "Normal"`},
		{name: "one of", p: &CheckParams{Script: state, Expect: []any{"Normal", "FailedOver"}}, ok: true},
		{name: "count of services", p: &CheckParams{Cmdlet: "Get-CsService", Switches: []string{"PersistentChatServer"}, Expect: map[string]any{"count": 1}}, ok: true},
		{name: "count of active servers", p: &CheckParams{Script: "(Get-CsService -PersistentChatServer).ActiveServers", Expect: map[string]any{"count": 2}}, ok: true},
		{name: "regex over each", p: &CheckParams{Script: "Get-CsService -PersistentChatServer | Select-Object -ExpandProperty ActiveServers | Select-Object -First 1", Expect: map[string]any{"matches": "^dc2-"}},
			detail: `Select-Object -First 1: expected a match for "^dc2-", got "dc1-pc01.litwareinc.com"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.MaxOutput = DefaultMaxOutput
			if err := (checker{}).Validate(tt.p); err != nil {
				t.Fatal(err)
			}
			res, err := checker{}.Check(context.Background(), env, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok {
				t.Errorf("OK = %v, want %v (%s)", res.OK, tt.ok, res.Detail)
			}
			if tt.detail != "" && !strings.HasSuffix(res.Detail, strings.TrimPrefix(tt.detail, "Select-Object -First 1: ")) {
				t.Errorf("detail = %q, want %q", res.Detail, tt.detail)
			}
		})
	}
	_, err := checker{}.Check(context.Background(), env, &CheckParams{Cmdlet: "Get-CsNothing", Expect: "x", MaxOutput: 100})
	if err == nil || !strings.Contains(err.Error(), "is not recognized") {
		t.Errorf("a PowerShell error: %v, want an error", err)
	}
}
