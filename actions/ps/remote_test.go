package ps

import (
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/targets"
	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/pswrap"
)

func remoteTarget(t *testing.T, dir string) (tp *targets.PowerShell) {
	t.Helper()
	tp = shellTarget(t, dir)
	tp.Computer, tp.User, tp.Password = "dc2-fe01.litwareinc.com", `LITWARE\failover`, lab.DefaultPassword
	tp.Authentication, tp.ConfigurationName = "CredSSP", "Microsoft.PowerShell"
	return tp
}

func TestRemoteWrapping(t *testing.T) {
	dir := newLab(t)
	env := open(t, remoteTarget(t, dir), nil)
	out, err := invoke(t, env, &InvokeParams{Cmdlet: "Get-CsPersistentChatState", Params: map[string]any{"Identity": "service:atl-cs-001.litwareinc.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if out["PoolState"] != "Normal" {
		t.Errorf("outputs = %v", out)
	}
	var start map[string]any
	for _, ev := range shellEvents(t, dir) {
		if ev["event"] == "start" {
			start = ev
		}
	}
	want := map[string]any{"Computer": "dc2-fe01.litwareinc.com", "User": `LITWARE\failover`,
		"Authentication": "CredSSP", "ConfigurationName": "Microsoft.PowerShell"}
	remote, _ := start["remote"].(map[string]any)
	for k, v := range want {
		if remote[k] != v {
			t.Errorf("the shell saw remote %s = %v, want %v (%v)", k, remote[k], v, start)
		}
	}
}

func TestRemotePasswordOnlyOnStdin(t *testing.T) {
	dir := newLab(t)
	tp := remoteTarget(t, dir)
	tp.Password = "pä$$ 'wörd'\nline2"
	r := newRunner(tp)
	script := r.script("Get-CsPersistentChatState")
	argv, err := r.argv(script)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := pswrap.Decode(argv[len(argv)-1])
	if err != nil || decoded != script {
		t.Fatalf("the last argument is not the encoded script: %v", err)
	}
	for _, a := range append(argv, decoded) {
		if strings.Contains(a, "pä$$") || strings.Contains(a, "line2") {
			t.Errorf("the password is on the command line or in the script: %q", a)
		}
	}
	if !strings.Contains(script, "-Credential $credential -Authentication 'CredSSP' -ConfigurationName 'Microsoft.PowerShell' -ErrorAction Stop -ScriptBlock {") {
		t.Errorf("no Invoke-Command with the credential in:\n%s", script)
	}
	if r.stdin() == "" || strings.Contains(r.stdin(), "pä$$") {
		t.Errorf("stdin = %q, want the password in base64", r.stdin())
	}
	// The wrong password is refused by the lab's remote computer.
	_, err = invoke(t, open(t, tp, nil), &InvokeParams{Cmdlet: "Get-CsPersistentChatState"})
	if err == nil || !strings.Contains(err.Error(), "Access is denied.") || actions.ClassOf(err) != actions.Retryable {
		t.Errorf("wrong password: %v (%s), want a retryable access denied", err, actions.ClassOf(err))
	}
}

func TestRemoteUnknownComputer(t *testing.T) {
	dir := newLab(t)
	tp := remoteTarget(t, dir)
	tp.Computer = "dc1-fe09.litwareinc.com"
	_, err := invoke(t, open(t, tp, nil), &InvokeParams{Cmdlet: "Get-CsPersistentChatState"})
	if err == nil || !strings.Contains(err.Error(), "Connecting to remote server dc1-fe09.litwareinc.com failed") || actions.ClassOf(err) != actions.Retryable {
		t.Errorf("err = %v (%s), want a retryable remoting error", err, actions.ClassOf(err))
	}
}
