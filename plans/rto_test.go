package plans

import (
	"strings"
	"testing"
	"time"
)

// rtoPlan is a plan with an rto of its own and one step's.
const rtoPlan = `version: 1
name: budgets
rto: 45m
steps:
  - id: gate
    action: approval
    rto: 10m
  - id: after
    action: approval
    needs: [gate]
`

func TestRTOBudgets(t *testing.T) {
	p := mustLoad(t, "plan.yaml", Options{ReadFile: memFiles(map[string]string{"plan.yaml": rtoPlan})})
	if p.RTO != 45*time.Minute {
		t.Errorf("plan rto = %v, want 45m", p.RTO)
	}
	if got := p.Step("gate").RTO; got != 10*time.Minute {
		t.Errorf("gate rto = %v, want 10m", got)
	}
	if got := p.Step("after").RTO; got != 0 {
		t.Errorf("after rto = %v, want 0 (none)", got)
	}
}

// An rto is a budget the report measures against: changing it changes
// nothing a run does, so a run is not refused on resume for it.
func TestRTOLeftOutOfTheHash(t *testing.T) {
	without := strings.NewReplacer("rto: 45m\n", "", "    rto: 10m\n", "").Replace(rtoPlan)
	a := mustLoad(t, "a.yaml", Options{ReadFile: memFiles(map[string]string{"a.yaml": rtoPlan})})
	b := mustLoad(t, "b.yaml", Options{ReadFile: memFiles(map[string]string{"b.yaml": without})})
	if a.Hash != b.Hash || a.Step("gate").Hash != b.Step("gate").Hash {
		t.Errorf("an rto changed the plan's or the step's hash")
	}
}

func TestRTOErrors(t *testing.T) {
	tests := []struct {
		name, plan, want string
	}{
		{"plan rto without a unit", "rto: 90\n", `rto must be a duration such as "30s" or "5m", got integer 90`},
		{"plan rto zero", "rto: 0s\n", "rto must be longer than 0 (leave it out for no budget)"},
		{"plan rto negative", "rto: -5m\n", `rto: "-5m" is not a duration`},
		{"step rto not a duration", "", `step "s" rto: "soon" is not a duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := "  - { id: s, action: approval }\n"
			if tt.plan == "" {
				step = "  - { id: s, action: approval, rto: soon }\n"
			}
			text := "version: 1\nname: r\n" + tt.plan + "steps:\n" + step
			_, ds := Load("plan.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(map[string]string{"plan.yaml": text})})
			if len(ds) != 1 || ds[0].Severity != SeverityError || !strings.Contains(ds[0].Message, tt.want) {
				t.Errorf("want one error containing %q, got:\n%s", tt.want, textOf(ds))
			}
		})
	}
}
