package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/plans"
)

// sizedParams are the params of "test.sized": a size that must be even.
type sizedParams struct {
	Size int64 `param:"size,required" doc:"an even number"`
}

// sized validates its params, counting the calls, and returns its size
// as an output.
type sized struct{ validations *atomic.Int64 }

func (s sized) Validate(p *sizedParams) error {
	s.validations.Add(1)
	if p.Size%2 != 0 {
		return fmt.Errorf("size %d is odd", p.Size)
	}
	return nil
}

func (sized) Run(_ context.Context, _ *actions.Env, p *sizedParams) (map[string]any, error) {
	return map[string]any{"next": p.Size + 1}, nil
}

// TestValidateOnceAtLoadAndAgainOnlyForRunTimeValues: a step's params
// whose values are all known at load are validated by the loader and
// not again by the run; a step whose params held a run-time reference is
// validated once more when the reference is resolved, and a value that
// then fails validation fails the step with the type's message.
func TestValidateOnceAtLoadAndAgainOnlyForRunTimeValues(t *testing.T) {
	var n atomic.Int64
	reg := actions.NewRegistry()
	reg.Register(actions.Define[sizedParams](actions.Type{Name: "test.sized", Kind: actions.KindAction,
		Outputs: []actions.Output{{Name: "next", Doc: "size + 1"}}}, sized{&n}))
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	body := `version: 1
name: validate-once
steps:
  - id: known
    action: test.sized
    with: { size: 2 }
  - id: later
    action: test.sized
    with: { size: '${steps.known.outputs.next}' }
`
	if err := os.WriteFile(plan, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	p, diags := plans.Load(plan, plans.Options{Registry: reg})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	if got := n.Load(); got != 1 {
		t.Fatalf("load validated %d steps, want 1 (the one whose values are known)", got)
	}
	_, err := Run(context.Background(), Config{Plan: p, Registry: reg, StateDir: filepath.Join(dir, "state"),
		User: "tester", Host: "testhost", Log: zerolog.Nop()})
	if got := n.Load(); got != 2 {
		t.Errorf("validated %d times in all, want 2: once at load, once for the run-time value", got)
	}
	if ExitCode(err) != ExitFailed || !strings.Contains(err.Error(), "later") || !strings.Contains(err.Error(), "size 3 is odd") {
		t.Errorf("err = %v, want step later failed with the type's message on the resolved value", err)
	}
}
