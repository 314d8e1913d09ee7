package ps

import (
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/proc"
)

// TestValues covers domain.md G.1's table without PowerShell: the exit
// code and the result or error line together decide.
func TestValues(t *testing.T) {
	c := command{Cmdlet: "Set-CsPersistentChatState"}
	errLine := `<<<FAILOVER-ERROR>>>{"message":"boom hunter2","type":"System.Management.Automation.Remoting.PSRemotingTransportException","error_id":"AccessDenied,PSSessionStateBroken","category":"OpenError: (fe:String) [], PSRemotingTransportException","command":"Invoke-Command"}<<<END>>>`
	tests := []struct {
		name  string
		res   proc.Result
		count int
		class actions.Class
		err   string
	}{
		{name: "exit 0 with a result", res: proc.Result{Captured: []string{`<<<FAILOVER-JSON>>>[1,"a",{"k":2.5}]<<<END>>>`}}, count: 3},
		{name: "a look-alike before the real line", res: proc.Result{Captured: []string{`<<<FAILOVER-ERROR>>>{}<<<END>>>`, `noise <<<FAILOVER-JSON>>>[]<<<END>>>`}}, count: 0},
		{name: "a bare object for a one-element list", res: proc.Result{Captured: []string{`<<<FAILOVER-JSON>>>{"PoolState":"Normal"}<<<END>>>`}}, count: 1},
		{name: "error line", res: proc.Result{ExitCode: 1, Captured: []string{errLine}}, class: actions.Retryable,
			err: "Set-CsPersistentChatState failed: boom *** (in Invoke-Command; CategoryInfo: OpenError: (fe:String) [], PSRemotingTransportException; FullyQualifiedErrorId: AccessDenied,PSSessionStateBroken)"},
		{name: "error line with exit 0", res: proc.Result{ExitCode: 0, Captured: []string{errLine}}, class: actions.Retryable, err: "[exit code 0]"},
		{name: "result but exit 1", res: proc.Result{ExitCode: 1, Captured: []string{`<<<FAILOVER-JSON>>>[]<<<END>>>`}, LastStderr: "Terminate batch job"},
			err: "Set-CsPersistentChatState wrote its result but PowerShell exited with code 1: Terminate batch job"},
		{name: "exit 0 without a line", res: proc.Result{}, err: "PowerShell exited with code 0 but wrote no result line"},
		{name: "exit -1073741510 without a line", res: proc.Result{ExitCode: -1073741510, LastStderr: "^C"}, err: "PowerShell exited with code -1073741510 without a result: ^C"},
		{name: "unreadable result", res: proc.Result{Captured: []string{`<<<FAILOVER-JSON>>>[1,<<<END>>>`}}, err: "read the result line"},
		{name: "result too big", res: proc.Result{CaptureOverflow: true}, class: actions.Permanent, err: "the result is larger than"},
		{name: "unreadable error line", res: proc.Result{ExitCode: 1, Captured: []string{`<<<FAILOVER-ERROR>>>{"message":<<<END>>>`}},
			err: "Set-CsPersistentChatState failed, and its error line is unreadable"},
	}
	redact := strings.NewReplacer("hunter2", "***").Replace
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, err := values(c, &tt.res, redact)
			if tt.err == "" {
				if err != nil || len(vals) != tt.count {
					t.Errorf("values = %v, %v; want %d values", vals, err, tt.count)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
			if actions.ClassOf(err) != tt.class {
				t.Errorf("class = %s, want %s", actions.ClassOf(err), tt.class)
			}
		})
	}
}

func TestOutputs(t *testing.T) {
	obj := map[string]any{"PoolState": "Normal", "count": "mine"}
	out := outputs([]any{obj}, "banner")
	if out["PoolState"] != "Normal" || out["count"] != int64(1) || out["output"] != "banner" {
		t.Errorf("outputs = %v: want PoolState spread, count and output kept", out)
	}
	if out := outputs(nil, ""); out["result"] != nil || out["count"] != int64(0) {
		t.Errorf("outputs of nothing = %v", out)
	}
}

// TestCommandLineTooLong: a command whose encoded line would pass
// Windows' limit is refused for good, before anything runs.
func TestCommandLineTooLong(t *testing.T) {
	r := &runner{program: "pwsh"}
	if _, err := r.argv(strings.Repeat("x", maxScript)); err != nil {
		t.Fatalf("a script of maxScript characters: %v", err)
	}
	_, err := r.argv(strings.Repeat("x", 20000))
	if err == nil || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), "more than Windows allows (32767)") {
		t.Errorf("a 20,000-character script: %v, want a permanent error naming the limit", err)
	}
}
