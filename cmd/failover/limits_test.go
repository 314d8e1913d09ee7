package main

import (
	"strings"
	"testing"

	"github.com/failover-dev/failover/plans"
)

func TestPlanLimits(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want plans.Limits
		err  string
	}{
		{"none set", nil, plans.Limits{}, ""},
		{"all set", map[string]string{"FAILOVER_MAX_FILE_SIZE": "32MiB", "FAILOVER_MAX_VALUE_SIZE": "512k", "FAILOVER_MAX_TOTAL_SIZE": "1073741824"},
			plans.Limits{FileSize: 32 << 20, ValueSize: 512 << 10, TotalSize: 1 << 30}, ""},
		{"a unit in any case", map[string]string{"FAILOVER_MAX_TOTAL_SIZE": "2 GiB"}, plans.Limits{TotalSize: 2 << 30}, ""},
		{"no number", map[string]string{"FAILOVER_MAX_VALUE_SIZE": "MiB"}, plans.Limits{}, `bad FAILOVER_MAX_VALUE_SIZE="MiB"`},
		{"zero", map[string]string{"FAILOVER_MAX_FILE_SIZE": "0"}, plans.Limits{}, "want a positive size"},
		{"unknown unit", map[string]string{"FAILOVER_MAX_FILE_SIZE": "16MB"}, plans.Limits{}, "want a positive size"},
		{"overflow", map[string]string{"FAILOVER_MAX_FILE_SIZE": "99999999999GiB"}, plans.Limits{}, "want a positive size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := planLimits(func(k string) string { return tt.env[k] })
			switch {
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v, want %q", err, tt.err)
			case tt.err == "" && (err != nil || got != tt.want):
				t.Fatalf("planLimits = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestLimitsFromEnvironment runs validate with the limits changed from
// the environment, and with a malformed one (bad usage).
func TestLimitsFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", goodPlan)
	vars := writeFile(t, dir, "vars.yaml", "x: '"+strings.Repeat("x", 200)+"'\n")
	long := writeFile(t, dir, "long.yaml", "version: 1\nname: long\ndescription: '"+strings.Repeat("x", 300)+"'\n"+goodPlan[len("version: 1\nname: good\n"):])
	tests := []struct {
		name      string
		env, args []string
		code      int
		want      string
	}{
		{"defaults", nil, []string{"validate", long}, exitOK, "1 valid"},
		{"a plan over the file size", []string{"FAILOVER_MAX_FILE_SIZE", "64"}, []string{"validate", good}, exitFailed, "is larger than 64 bytes"},
		{"a vars file over the file size", []string{"FAILOVER_MAX_FILE_SIZE", "100"}, []string{"validate", "--vars-file", vars, good}, exitUsage, "is larger than 100 bytes"},
		{"a value over the value size", []string{"FAILOVER_MAX_VALUE_SIZE", "256"}, []string{"validate", long}, exitFailed, "this value is longer than 256 bytes"},
		{"a malformed limit", []string{"FAILOVER_MAX_VALUE_SIZE", "lots"}, []string{"validate", good}, exitUsage, `bad FAILOVER_MAX_VALUE_SIZE="lots"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i+1 < len(tt.env); i += 2 {
				t.Setenv(tt.env[i], tt.env[i+1])
			}
			code, stdout, stderr := cli(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}
