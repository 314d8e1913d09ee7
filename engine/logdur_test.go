package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/plans"
)

func TestLogDur(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{"zero", 0, "0s"},
		{"sub-microsecond", 300 * time.Nanosecond, "300ns"},
		{"microseconds", 40*time.Microsecond + 400, "40µs"},
		{"milliseconds", 250*time.Millisecond + 400*time.Microsecond, "250ms"},
		{"a second and a bit", time.Second + 2*time.Millisecond + 300*time.Microsecond, "1.002s"},
		{"minutes", 2*time.Minute + 30*time.Second, "2m30s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := logDur(tt.d); got != tt.want {
				t.Errorf("logDur(%d) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

// The log's durations carry their unit, in JSON as in the console: an
// operator reads "750ms", not 750 with no unit.
func TestLogDurationsCarryUnits(t *testing.T) {
	a := step("a", nil, map[string]any{"fail": 1, "class": "retryable"})
	a.Retry = plans.Retry{Attempts: 2, Delay: 1500 * time.Millisecond}
	cfg := testConfig(t, newPlan(a), newRecorder())
	var buf bytes.Buffer
	cfg.Log = zerolog.New(&buf)
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"attempt failed/retry_in": "750ms", "succeeded/duration": "750ms", "run ended/duration": "750ms"}
	seen := map[string]bool{}
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line %s: %v", line, err)
		}
		for _, f := range []string{"duration", "retry_in", "left"} {
			v, ok := m[f]
			if !ok {
				continue
			}
			s, isStr := v.(string)
			if !isStr {
				t.Errorf("%s: %s is %v (%T), want a duration string", m["message"], f, v, v)
				continue
			}
			if _, err := time.ParseDuration(s); err != nil {
				t.Errorf("%s: %s %q: %v", m["message"], f, s, err)
			}
			key := m["message"].(string) + "/" + f
			if w, ok := want[key]; ok {
				seen[key] = true
				if s != w {
					t.Errorf("%s = %q, want %q", key, s, w)
				}
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("no log line with %s", k)
		}
	}
}
