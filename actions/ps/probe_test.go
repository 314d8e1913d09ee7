package ps

import (
	"context"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
)

func TestProbeAndInspect(t *testing.T) {
	dir := newLab(t)
	env := open(t, shellTarget(t, dir), nil)
	pool := "service:atl-cs-001.litwareinc.com"
	p := &InvokeParams{Cmdlet: "Set-CsPersistentChatState", Params: map[string]any{"Identity": pool, "PoolState": "FailedOver"},
		MaxOutput: DefaultMaxOutput, Probe: map[string]any{"script": "(Get-CsPersistentChatState -Identity '" + pool + "').PoolState", "expect": "FailedOver"}}
	if err := (invoker{}).Validate(p); err != nil {
		t.Fatal(err)
	}
	pr, err := invoker{}.Probe(context.Background(), env, p)
	if err != nil || pr.State != actions.ProbeNotDone || !strings.Contains(pr.Detail, `expected "FailedOver", got "Normal"`) {
		t.Fatalf("probe before = %+v, %v; want not done", pr, err)
	}
	in, err := invoker{}.Inspect(context.Background(), env, p)
	if err != nil || in.Change != actions.ChangeSome || !strings.HasPrefix(in.Summary, "would run Set-CsPersistentChatState: probe the script: expected") {
		t.Fatalf("inspect before = %+v, %v", in, err)
	}
	if _, err := (invoker{}).Run(context.Background(), env, p); err != nil {
		t.Fatal(err)
	}
	pr, err = invoker{}.Probe(context.Background(), env, p)
	if err != nil || pr.State != actions.ProbeDone {
		t.Fatalf("probe after = %+v, %v; want done", pr, err)
	}
	in, err = invoker{}.Inspect(context.Background(), env, p)
	if err != nil || in.Change != actions.ChangeNone {
		t.Fatalf("inspect after = %+v, %v", in, err)
	}
	// A probe that cannot be evaluated is unknown, not an error.
	p.Probe = map[string]any{"cmdlet": "Get-CsNothing", "expect": "x"}
	if pr, err := (invoker{}).Probe(context.Background(), env, p); err != nil || pr.State != actions.ProbeUnknown || !strings.Contains(pr.Detail, "is not recognized") {
		t.Errorf("failing probe = %+v, %v; want unknown", pr, err)
	}
	p.Probe = nil
	if pr, _ := (invoker{}).Probe(context.Background(), env, p); pr.State != actions.ProbeUnknown {
		t.Errorf("no probe = %+v, want unknown", pr)
	}
}

func TestProbeValidation(t *testing.T) {
	tests := []struct {
		probe map[string]any
		err   string
	}{
		{probe: map[string]any{"script": "x", "expect": 1}},
		{probe: map[string]any{"script": "x"}, err: "probe: expect is missing"},
		{probe: map[string]any{"cmd": "x", "expect": 1}, err: `probe: unknown key "cmd"`},
		{probe: map[string]any{"cmdlet": 5, "expect": 1}, err: "probe: cmdlet: want text"},
		{probe: map[string]any{"expect": 1}, err: "probe: give cmdlet (with params) or script"},
		{probe: map[string]any{"cmdlet": "Get-X", "switches": []any{1}, "expect": 1}, err: "probe: switches: want names"},
		{probe: map[string]any{"script": "x", "expect": map[string]any{"gt": "a"}}, err: "probe: expect gt: want a number"},
	}
	for _, tt := range tests {
		_, err := parseProbe(tt.probe)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)) {
			t.Errorf("%v: %v, want %q", tt.probe, err, tt.err)
		}
	}
}
