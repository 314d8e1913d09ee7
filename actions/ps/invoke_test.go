package ps

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
)

// hostile values: every one must arrive in the shell exactly as written.
var hostile = []string{
	"plain",
	"don't",
	"‘curly’ ‚low‛ quotes",
	"$(Remove-Item -Recurse C:\\)",
	"`n backtick `$x",
	"a; Set-CsPersistentChatState -PoolState Normal",
	"two\nlines\r\nand CRLF",
	"Köln–Bonn — ―",
	"\"double\" “curly” „low“",
	"@{Add='x'} @('y') #comment <#block#>",
	"",
}

func TestQuotingThroughEveryParameterType(t *testing.T) {
	dir := newLab(t)
	env := open(t, shellTarget(t, dir), nil)
	tests := []struct {
		name  string
		value any
		want  any
	}{
		{name: "integer", value: int64(42), want: int64(42)},
		{name: "negative integer", value: int64(-7), want: int64(-7)},
		{name: "real", value: 2.5, want: 2.5},
		{name: "true", value: true, want: true},
		{name: "false", value: false, want: false},
		{name: "null", value: nil, want: nil},
	}
	for i, s := range hostile {
		tests = append(tests, struct {
			name  string
			value any
			want  any
		}{name: "text " + string(rune('a'+i)), value: s, want: s})
	}
	list := make([]any, len(hostile))
	for i, s := range hostile {
		list[i] = s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := invoke(t, env, &InvokeParams{Cmdlet: "Write-Output", Params: map[string]any{"InputObject": tt.value}})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out["result"], tt.want) || out["count"] != int64(1) {
				t.Errorf("result = %#v (count %v), want %#v", out["result"], out["count"], tt.want)
			}
		})
	}
	t.Run("list", func(t *testing.T) {
		out, err := invoke(t, env, &InvokeParams{Cmdlet: "Write-Output", Params: map[string]any{"InputObject": list}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out["result"], list) {
			t.Errorf("result = %#v, want %#v", out["result"], list)
		}
	})
	t.Run("switch", func(t *testing.T) {
		_, err := invoke(t, env, &InvokeParams{Cmdlet: "Get-CsPersistentChatState", Switches: []string{"LocalStore"}})
		if err != nil {
			t.Fatal(err)
		}
		if p := lastCmdlet(t, dir, "Get-CsPersistentChatState"); p["LocalStore"] != true {
			t.Errorf("the shell bound %v, want LocalStore true", p)
		}
	})
}

func TestQuotingInAnIdentity(t *testing.T) {
	dir := newLab(t)
	env := open(t, shellTarget(t, dir), nil)
	for _, s := range hostile[1:] {
		_, err := invoke(t, env, &InvokeParams{Cmdlet: "Set-CsPersistentChatState",
			Params: map[string]any{"Identity": s, "–PoolState": "FailedOver"}})
		if err == nil {
			t.Fatalf("identity %q was accepted", s)
		}
		if p := lastCmdlet(t, dir, "Set-CsPersistentChatState"); p["Identity"] != s || p["PoolState"] != "FailedOver" {
			t.Errorf("the shell bound %#v, want Identity %q", p, s)
		}
	}
	out, err := invoke(t, env, &InvokeParams{Cmdlet: "Get-CsPersistentChatState", Params: map[string]any{"Identity": "service:atl-cs-001.litwareinc.com"}})
	if err != nil || out["PoolState"] != "Normal" {
		t.Errorf("after the failed attempts: %v, %v; want the pool still Normal", out, err)
	}
}

func TestRunbookSteps(t *testing.T) {
	dir := newLab(t)
	env := open(t, shellTarget(t, dir), nil)
	pool := "service:atl-cs-001.litwareinc.com"
	if _, err := invoke(t, env, &InvokeParams{Cmdlet: "Set-CsPersistentChatState", Params: map[string]any{"Identity": pool, "PoolState": "FailedOver"}}); err != nil {
		t.Fatal(err)
	}
	out, err := invoke(t, env, &InvokeParams{Script: "(Get-CsPersistentChatState -Identity '" + pool + "').PoolState"})
	if err != nil || out["result"] != "FailedOver" {
		t.Fatalf("pool state = %v, %v; want FailedOver", out, err)
	}
	servers := []any{"dc2-pc01.litwareinc.com", "dc2-pc02.litwareinc.com"}
	if _, err := invoke(t, env, &InvokeParams{Cmdlet: "Set-CsPersistentChatActiveServer", Params: map[string]any{"ActiveServers": servers}}); err != nil {
		t.Fatal(err)
	}
	out, err = invoke(t, env, &InvokeParams{Cmdlet: "Get-CsService", Switches: []string{"PersistentChatServer"}})
	if err != nil || !reflect.DeepEqual(out["ActiveServers"], servers) {
		t.Fatalf("active servers = %v, %v; want %v", out["ActiveServers"], err, servers)
	}
	if _, err := invoke(t, env, &InvokeParams{Cmdlet: "Set-CsPersistentChatActiveServer", Params: map[string]any{"ActiveServers": nil}}); err != nil {
		t.Fatal(err)
	}
	out, err = invoke(t, env, &InvokeParams{Cmdlet: "Get-CsService", Switches: []string{"PersistentChatServer"}})
	if err != nil || !reflect.DeepEqual(out["ActiveServers"], []any{}) {
		t.Errorf("active servers after $null = %#v, %v; want none", out["ActiveServers"], err)
	}
}

func TestErrors(t *testing.T) {
	dir := newLab(t)
	tests := []struct {
		name    string
		p       *InvokeParams
		modules []string
		class   actions.Class
		msg     []string
	}{
		{name: "unknown cmdlet", p: &InvokeParams{Cmdlet: "Get-CsNothing"}, class: actions.Permanent,
			msg: []string{"Get-CsNothing failed: The term 'Get-CsNothing' is not recognized as the name of a cmdlet", "FullyQualifiedErrorId: CommandNotFoundException"}},
		{name: "module not imported", p: &InvokeParams{Cmdlet: "Get-CsPersistentChatState"}, modules: []string{}, class: actions.Permanent,
			msg: []string{"is not recognized"}},
		{name: "unknown module", p: &InvokeParams{Cmdlet: "Get-CsPersistentChatState"}, modules: []string{"Lynk"}, class: actions.Permanent,
			msg: []string{"Get-CsPersistentChatState failed: The specified module 'Lynk' was not loaded", "in Import-Module", "Modules_ModuleNotFound"}},
		{name: "unknown parameter", p: &InvokeParams{Cmdlet: "Set-CsPersistentChatState", Params: map[string]any{"Identity": "x", "PoolStat3": "Normal"}}, class: actions.Permanent,
			msg: []string{"A parameter cannot be found that matches parameter name 'PoolStat3'.", "NamedParameterNotFound"}},
		{name: "bad enum", p: &InvokeParams{Cmdlet: "Set-CsPersistentChatState", Params: map[string]any{"Identity": "service:atl-cs-001.litwareinc.com", "PoolState": "Failed"}}, class: actions.Permanent,
			msg: []string{"Cannot bind parameter 'PoolState'", "Normal, FailedOver"}},
		{name: "identity with a space", p: &InvokeParams{Cmdlet: "Set-CsPersistentChatState", Params: map[string]any{"Identity": "service: atl-cs-001.litwareinc.com", "PoolState": "FailedOver"}}, class: actions.Unknown,
			msg: []string{`Cannot find "PersistentChatState" "service: atl-cs-001.litwareinc.com"`}},
		{name: "mirror of a RESTORING database", p: &InvokeParams{Cmdlet: "Install-CsMirrorDatabase", Params: map[string]any{"DatabaseType": "PersistentChat",
			"SqlServerFqdn": "dc2-sql01.litwareinc.com", "FileShare": dir}}, class: actions.Unknown,
			msg: []string{"Install-CsMirrorDatabase failed: Database mgc on dc2-sql01.litwareinc.com is RESTORING"}},
		{name: "a hashtable delta", p: &InvokeParams{Script: "Set-CsPersistentChatActiveServer -ActiveServers @{Add='dc2-pc01.litwareinc.com'}"}, class: actions.Unknown,
			msg: []string{"the script failed: The failover lab's Management Shell does not support this: a hashtable for -ActiveServers"}},
		{name: "script exits 3", p: &InvokeParams{Script: "exit 3"}, class: actions.Unknown,
			msg: []string{"the script: PowerShell exited with code 3 without a result"}},
		{name: "script does not parse", p: &InvokeParams{Script: "Get-CsPersistentChatState -Identity 'x"}, class: actions.Unknown,
			msg: []string{"PowerShell exited with code 1 without a result: ", "FullyQualifiedErrorId : ParseException"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := shellTarget(t, dir)
			if tt.modules != nil {
				tp.Modules = tt.modules
			}
			_, err := invoke(t, open(t, tp, nil), tt.p)
			if err == nil {
				t.Fatal("succeeded, want an error")
			}
			if got := actions.ClassOf(err); got != tt.class {
				t.Errorf("class = %s, want %s (%v)", got, tt.class, err)
			}
			for _, m := range tt.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q lacks %q", err, m)
				}
			}
		})
	}
}

func TestTimeoutKillsTheShell(t *testing.T) {
	dir := newLab(t)
	env := open(t, shellTarget(t, dir), nil)
	addFault(t, dir, "Set-CsPersistentChatState", "hang", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	p := &InvokeParams{Cmdlet: "Set-CsPersistentChatState", Params: map[string]any{"Identity": "service:atl-cs-001.litwareinc.com", "PoolState": "FailedOver"}, MaxOutput: 100}
	start := time.Now()
	_, err := invoker{}.Run(ctx, env, p)
	if !errors.Is(err, context.DeadlineExceeded) || actions.ClassOf(err) != actions.Retryable {
		t.Fatalf("err = %v (%s), want a retryable deadline error", err, actions.ClassOf(err))
	}
	pid := hungPID(t, dir)
	waitGone(t, pid)
	t.Logf("killed after %s", time.Since(start))
	// The fault fired once: the next attempt runs, the lock was let go.
	if _, err := invoke(t, env, p); err != nil {
		t.Fatalf("the attempt after the hang: %v", err)
	}
}

func TestFailNTimes(t *testing.T) {
	dir := newLab(t)
	env := open(t, shellTarget(t, dir), nil)
	addFault(t, dir, "^Set-CsPersistentChatState$", "fail", 2)
	p := &InvokeParams{Cmdlet: "Set-CsPersistentChatState", Params: map[string]any{"Identity": "service:atl-cs-001.litwareinc.com", "PoolState": "FailedOver"}}
	for i := 1; i <= 2; i++ {
		if _, err := invoke(t, env, p); err == nil || !strings.Contains(err.Error(), "The failover lab injected this failure") {
			t.Fatalf("attempt %d: %v, want the injected failure", i, err)
		}
	}
	if _, err := invoke(t, env, p); err != nil {
		t.Fatalf("attempt 3: %v", err)
	}
}

func TestOutputsAndOtherOutput(t *testing.T) {
	dir := newLab(t)
	var log bytes.Buffer
	env := open(t, shellTarget(t, dir), &log)
	out, err := invoke(t, env, &InvokeParams{Cmdlet: "Get-CsDatabaseMirrorState", Params: map[string]any{"PoolFqdn": "atl-cs-001.litwareinc.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if out["count"] != int64(2) {
		t.Fatalf("count = %v, want 2 (mgc, mgccomp): %v", out["count"], out)
	}
	first := out["result"].([]any)[0].(map[string]any)
	// The default lab's primary mgc is not mirrored in its SQL state.
	if first["DatabaseName"] != "mgc" || first["StateOnPrimary"] != "DatabaseInaccessibleOrMirroringNotEnabled" {
		t.Errorf("mgc mirror state = %v", first)
	}
	if _, spread := out["DatabaseName"]; spread {
		t.Error("properties spread from a list of two objects")
	}
	if strings.Contains(log.String(), "FAILOVER-JSON") {
		t.Errorf("the result line was logged:\n%s", log.String())
	}
}

func TestCloseEndsARunningCommand(t *testing.T) {
	dir := newLab(t)
	env := open(t, shellTarget(t, dir), nil)
	addFault(t, dir, "Get-CsPersistentChatState", "hang", 1)
	done := make(chan error, 1)
	go func() {
		_, err := invoker{}.Run(context.Background(), env, &InvokeParams{Cmdlet: "Get-CsPersistentChatState", MaxOutput: 100})
		done <- err
	}()
	pid := hungPID(t, dir)
	if err := env.Target.Handle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("run after Close: %v, want cancelled", err)
	}
	waitGone(t, pid)
}

// hungPID waits for the shell to record a hang and returns its pid.
func hungPID(t *testing.T, dir string) int {
	t.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "lync", "shell.log")); err != nil {
			continue
		}
		for _, ev := range shellEvents(t, dir) {
			if ev["event"] == "fault" && ev["kind"] == "hang" {
				return int(ev["pid"].(float64))
			}
		}
	}
	t.Fatal("the shell never hung")
	return 0
}
