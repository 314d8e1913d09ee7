package actions

import (
	"fmt"
	"testing"
)

func TestCapList(t *testing.T) {
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("f%d", i)
		}
		return out
	}
	tests := []struct {
		name     string
		n        int
		wantLen  int
		wantLast string
	}{
		{name: "empty is an empty list, not null", n: 0, wantLen: 0},
		{name: "few", n: 3, wantLen: 3, wantLast: "f2"},
		{name: "exactly the bound", n: MaxListed, wantLen: MaxListed, wantLast: fmt.Sprintf("f%d", MaxListed-1)},
		{name: "one over", n: MaxListed + 1, wantLen: MaxListed + 1, wantLast: "… and 1 more"},
		{name: "many", n: 5000, wantLen: MaxListed + 1, wantLast: fmt.Sprintf("… and %d more", 5000-MaxListed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CapList(names(tt.n))
			if got == nil || len(got) != tt.wantLen {
				t.Fatalf("CapList(%d names) has %d entries (nil: %v), want %d", tt.n, len(got), got == nil, tt.wantLen)
			}
			if tt.wantLen > 0 && got[len(got)-1] != tt.wantLast {
				t.Errorf("last entry %q, want %q", got[len(got)-1], tt.wantLast)
			}
		})
	}
}
