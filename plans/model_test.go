package plans

import (
	"sync"
	"testing"
)

// TestStepLookup finds steps by id in plans built by hand and changed
// after a lookup, as tests of other packages do: the index follows.
func TestStepLookup(t *testing.T) {
	a, b, c, a2 := &Step{ID: "a"}, &Step{ID: "b"}, &Step{ID: "c"}, &Step{ID: "a"}
	p := &Plan{Steps: []*Step{a, b, a2}}
	check := func(id string, want *Step) {
		t.Helper()
		if got := p.Step(id); got != want {
			t.Fatalf("Step(%q) = %v, want %v", id, got, want)
		}
	}
	check("a", a) // the first of a duplicated id
	check("b", b)
	check("nope", nil)
	p.Steps = append(p.Steps, c) // appended after a lookup
	check("c", c)
	p.Steps[1] = &Step{ID: "d"} // b replaced in place
	check("b", nil)
	check("d", p.Steps[1])
	p.Steps = []*Step{c} // a new slice
	check("a", nil)
	check("c", c)
	p.Steps = nil
	check("c", nil)
	if (&Plan{}).Step("a") != nil {
		t.Fatal("a plan without steps has a step")
	}
}

// TestStepLookupConcurrent looks steps up from many goroutines at once,
// as the engine's workers do (run with -race).
func TestStepLookupConcurrent(t *testing.T) {
	p := &Plan{Steps: []*Step{{ID: "a"}, {ID: "b"}}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if p.Step("b") != p.Steps[1] {
					t.Error("Step(b) is not b")
				}
			}
		})
	}
	wg.Wait()
}
