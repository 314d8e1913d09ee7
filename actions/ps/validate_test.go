package ps

import (
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/targets"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		typ    string
		values map[string]any
		err    string
	}{
		{name: "cmdlet", typ: "ps.invoke", values: map[string]any{"cmdlet": "Set-CsPersistentChatState", "params": map[string]any{"Identity": "x", "PoolState": "FailedOver"}}},
		{name: "module-qualified cmdlet", typ: "ps.invoke", values: map[string]any{"cmdlet": `Lync\Set-CsPersistentChatState`}},
		{name: "script", typ: "ps.invoke", values: map[string]any{"script": "Get-Date"}},
		{name: "neither", typ: "ps.invoke", values: map[string]any{}, err: "give cmdlet (with params) or script"},
		{name: "both", typ: "ps.invoke", values: map[string]any{"cmdlet": "Get-X", "script": "y"}, err: "cmdlet and script exclude each other"},
		{name: "params with script", typ: "ps.invoke", values: map[string]any{"script": "y", "switches": []any{"Force"}}, err: "params and switches go with cmdlet"},
		{name: "not a cmdlet", typ: "ps.invoke", values: map[string]any{"cmdlet": "Get-X; rm"}, err: `cmdlet "Get-X; rm" is not a cmdlet name`},
		{name: "bad param name", typ: "ps.invoke", values: map[string]any{"cmdlet": "Get-X", "params": map[string]any{"a b": 1}}, err: `params: "a b" is not a parameter name`},
		{name: "param twice", typ: "ps.invoke", values: map[string]any{"cmdlet": "Get-X", "params": map[string]any{"Force": true}, "switches": []any{"–force"}}, err: `switches: "–force" is given twice`},
		{name: "hashtable value", typ: "ps.invoke", values: map[string]any{"cmdlet": "Get-X", "params": map[string]any{"ActiveServers": map[string]any{"Add": "x"}}}, err: "params: ActiveServers: a mapping is not supported"},
		{name: "NUL", typ: "ps.invoke", values: map[string]any{"cmdlet": "Get-X", "params": map[string]any{"A": "x\x00"}}, err: "params: A: text holds a NUL character"},
		{name: "marker in script", typ: "ps.invoke", values: map[string]any{"script": "x\n# <<< failover payload\n"}, err: "script holds the wrapper's marker line"},
		{name: "blank script", typ: "ps.invoke", values: map[string]any{"script": " \n"}, err: "script is blank"},
		{name: "long script", typ: "ps.invoke", values: map[string]any{"script": strings.Repeat("x", maxScript+1)}, err: "script has 8001 bytes"},
		{name: "bad max_output", typ: "ps.invoke", values: map[string]any{"script": "x", "max_output": 0}, err: "max_output must be between 1"},
		{name: "check", typ: "ps.check", values: map[string]any{"script": "x", "expect": []any{"a", "b"}}},
		{name: "check without expect", typ: "ps.check", values: map[string]any{"script": "x"}, err: `missing required parameter "expect"`},
		{name: "check bad expect", typ: "ps.check", values: map[string]any{"script": "x", "expect": map[string]any{"matches": "("}}, err: "expect matches:"},
	}
	r := actions.NewRegistry()
	targets.Register(r)
	Register(r)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := r.Type(tt.typ)
			p, err := actions.Decode(typ.Params, tt.values)
			if err == nil {
				err = typ.Validate(p)
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)) {
				t.Errorf("got %v, want %q", err, tt.err)
			}
		})
	}
}

func TestBody(t *testing.T) {
	c := command{Cmdlet: "Set-CsPersistentChatActiveServer", Params: map[string]any{
		"–Identity": "o'brien", "ActiveServers": []any{"a", "b"}, "Force": true, "Count": int64(-1), "Other": nil},
		Switches: []string{"—Verbose"}}
	body, err := c.body()
	if err != nil {
		t.Fatal(err)
	}
	want := "Set-CsPersistentChatActiveServer -ActiveServers @('a', 'b') -Count (-1) -Force:$true -Identity 'o''brien' -Other $null -Verbose"
	if body != want {
		t.Errorf("body = %q\nwant   %q", body, want)
	}
}

func TestPreview(t *testing.T) {
	tp := &targets.PowerShell{Executable: "powershell.exe", Modules: []string{"Lync"}, Computer: "dc2-fe01.litwareinc.com",
		User: `LITWARE\fo`, Password: "(secret)", Authentication: "CredSSP"}
	env := &actions.Env{Mode: actions.ModePreview, Target: &actions.Target{Name: "lync", Type: "powershell", Params: tp}}
	text, err := invoker{}.Preview(env, &InvokeParams{Cmdlet: "Set-CsPersistentChatState",
		Params: map[string]any{"Identity": "service:${vars.pool}", "PoolState": "FailedOver"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -OutputFormat Text -EncodedCommand <the script below, UTF-16LE, base64>\n",
		"standard input: the password of LITWARE\\fo (base64), read by the script\n",
		"# failover: ps.invoke wrapper, version 1\n",
		"Invoke-Command -ComputerName 'dc2-fe01.litwareinc.com' -Credential $credential -Authentication 'CredSSP' -ErrorAction Stop -ScriptBlock {\n",
		"Import-Module -Name 'Lync'\nSet-CsPersistentChatState -Identity 'service:${vars.pool}' -PoolState 'FailedOver'\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "(secret)") {
		t.Errorf("preview shows the password field:\n%s", text)
	}
}
