package lyncshell

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/pswrap"
)

func newLab(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := lab.Init(dir, lab.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shellRun runs Main in this process.
func shellRun(dir string, stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Main(append([]string{"--dir", dir}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommandMode(t *testing.T) {
	dir := newLab(t)
	tests := []struct {
		name, script   string
		code           int
		stdout, stderr string
	}{
		{name: "module first", script: "Get-CsPersistentChatState", code: 1, stderr: "The term 'Get-CsPersistentChatState' is not recognized"},
		{name: "prefix of a parameter", script: "Import-Module Lync; Get-CsPersistentChatState -Ident 'service:atl-cs-001.litwareinc.com' | Select-Object -ExpandProperty PoolState", stdout: "Normal\n"},
		{name: "ambiguous prefix", script: "Import-Module Lync; Install-CsMirrorDatabase -D PersistentChat", code: 1, stderr: "Parameter cannot be processed because the parameter name 'D' is ambiguous. Possible matches include: -DatabaseType -DropExistingDatabasesOnMirror -DatabasePathMap -Debug."},
		{name: "en dash parameter", script: "Import-Module Lync; Set-CsPersistentChatState -Identity 'service:atl-cs-001.litwareinc.com' –PoolState FailedOver; (Get-CsPersistentChatState).PoolState", stdout: "FailedOver\n"},
		{name: "missing argument", script: "Import-Module Lync; Set-CsPersistentChatState -Identity", code: 1, stderr: "Missing an argument for parameter 'Identity'. Specify a parameter of type 'System.String' and try again."},
		{name: "missing mandatory", script: "Import-Module Lync; Get-CsDatabaseMirrorState", code: 1, stderr: "Cannot process command because of one or more missing mandatory parameters: PoolFqdn."},
		{name: "positional too many", script: "Import-Module Lync a b", code: 1, stderr: "A positional parameter cannot be found that accepts argument 'a'."},
		{name: "twice", script: "Write-Output -InputObject 1 -InputObject 2", code: 1, stderr: "is specified more than once"},
		{name: "variables and members", script: "$s = Write-Output 'abc'; $s.Length", stdout: "3\n"},
		{name: "json", script: "Import-Module Lync; Get-CsPersistentChatState | ConvertTo-Json -Compress", stdout: `{"Identity":"PersistentChatServer:atl-cs-001.litwareinc.com","PoolState":"`},
		{name: "subexpression refused", script: "Write-Output $(1)", code: 1, stderr: "does not support subexpressions"},
		{name: "expanding string refused", script: `Write-Output "a $b"`, code: 1, stderr: "does not expand double-quoted strings"},
		{name: "typographic double quotes", script: "Write-Output \u201ca\u201d\u201db\u201d, \"c\"\"d\"", stdout: "a\u201db\nc\"d\n"},
		{name: "unterminated", script: "Write-Output 'a", code: 1, stderr: "The string is missing the terminator: '."},
		{name: "WhatIf not simulated", script: "Import-Module Lync; Set-CsPersistentChatState -Identity 'service:atl-cs-001.litwareinc.com' -WhatIf", code: 1, stderr: "does not support this: -WhatIf"},
		{name: "ErrorAction the run does not follow", script: "Import-Module Lync; Get-CsPersistentChatState -ErrorAction SilentlyContinue", code: 1, stderr: "does not support this: -ErrorAction SilentlyContinue"},
		{name: "ErrorAction Stop where the run goes on", script: "Import-Module Lync; Get-CsPersistentChatState -ErrorAction Stop", code: 1, stderr: "does not support this: -ErrorAction Stop (here the lab's cmdlets act as with -ErrorAction Continue)"},
		{name: "ErrorAction the run follows", script: "Import-Module Lync; Get-CsPersistentChatState -ErrorAction continue | Select-Object -ExpandProperty Identity", stdout: "PersistentChatServer:atl-cs-001.litwareinc.com\n"},
		{name: "WarningAction not simulated", script: "Import-Module Lync; Get-CsPersistentChatState -WarningAction Ignore", code: 1, stderr: "does not support this: -WarningAction Ignore"},
		{name: "Select-Object -First", script: "@(Write-Output a, b, c | Select-Object -First 2) | ConvertTo-Json -Compress", stdout: `["a","b"]`},
		{name: "Select-Object -First below 0", script: "Write-Output a, b | Select-Object -First -1", code: 1, stderr: "The -1 argument is less than the minimum allowed range of 0."},
		{name: "Select-Object -Property wildcard", script: "Import-Module Lync; Get-CsPersistentChatState | Select-Object -Property Pool*", code: 1, stderr: "does not support this: a wildcard in -Property (Pool*)"},
		{name: "no module", script: "Import-Module ActiveDirectory", code: 1, stderr: "The specified module 'ActiveDirectory' was not loaded"},
		{name: "expression after a pipe", script: "Write-Output 1 | 2", code: 1, stderr: "Expressions are only allowed as the first element of a pipeline."},
		{name: "piping into a command without pipeline input", script: "Write-Output 1 | Import-Module", code: 1, stderr: "The input object cannot be bound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := shellRun(dir, "", "-NoProfile", "-NonInteractive", "-Command", tt.script)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout: %q (want %q)\nstderr: %q (want %q)", code, tt.code, out, tt.stdout, errOut, tt.stderr)
			}
		})
	}
}

func TestWrapperErrorRecord(t *testing.T) {
	dir := newLab(t)
	script := pswrap.Build(&pswrap.Wrapper{Modules: []string{"Lync"}, Body: "Write-Output 'before'\nSet-CsPersistentChatState -Identity 'x' -Colour 'red'\n"})
	code, out, errOut := shellRun(dir, "", "-NonInteractive", "-EncodedCommand", pswrap.Encode(script))
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	_, rest, ok := strings.Cut(out, pswrap.ErrorMark)
	if !ok || strings.Contains(out, pswrap.ResultMark) {
		t.Fatalf("stdout %q has no error line (or a result line)", out)
	}
	var rec map[string]string
	if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimSpace(rest), pswrap.EndMark)), &rec); err != nil {
		t.Fatal(err)
	}
	line := strings.Count(script[:strings.Index(script, "Set-CsPersistentChatState -Identity")], "\n") + 1
	want := map[string]string{"message": "A parameter cannot be found that matches parameter name 'Colour'.",
		"command": "Set-CsPersistentChatState", "type": "System.Management.Automation.ParameterBindingException",
		"position": fmt.Sprintf("At line:%d char:1\n+ Set-CsPersistentChatState -Identity 'x' -Colour 'red'", line)}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %q, want %q", k, rec[k], v)
		}
	}
	if !strings.HasPrefix(rec["error_id"], "NamedParameterNotFound,") {
		t.Errorf("error_id = %q", rec["error_id"])
	}
	if !strings.Contains(errOut, "    + FullyQualifiedErrorId : NamedParameterNotFound") {
		t.Errorf("stderr lacks the record:\n%s", errOut)
	}
}

// TestWrapperErrorAction: inside the wrapper ($ErrorActionPreference
// Stop) -ErrorAction Stop is what the shell does; -ErrorAction Continue
// is refused, not silently run as Stop.
func TestWrapperErrorAction(t *testing.T) {
	dir := newLab(t)
	for _, tt := range []struct {
		action string
		code   int
		want   string
	}{
		{action: "Stop", code: 0, want: pswrap.ResultMark},
		{action: "Continue", code: 1, want: "does not support this: -ErrorAction Continue"},
	} {
		script := pswrap.Build(&pswrap.Wrapper{Modules: []string{"Lync"}, Body: "Get-CsPersistentChatState -ErrorAction " + tt.action + "\n"})
		code, out, _ := shellRun(dir, "", "-NonInteractive", "-EncodedCommand", pswrap.Encode(script))
		if code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("-ErrorAction %s: exit %d (want %d), stdout %q (want %q)", tt.action, code, tt.code, out, tt.want)
		}
	}
}

func TestMangledWrapperRefused(t *testing.T) {
	dir := newLab(t)
	script := pswrap.Build(&pswrap.Wrapper{Body: "Write-Output 1"})
	script = strings.Replace(script, "exit 1", "exit 0", 1)
	code, out, errOut := shellRun(dir, "", "-EncodedCommand", pswrap.Encode(script))
	if code != 1 || out != "" || !strings.Contains(errOut, "does not support this: this wrapper: malformed wrapper") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestConcurrentCallsAreSerialised runs many calls at once in this
// process (each takes the file lock on its own descriptor): no update
// of the state file is lost.
func TestConcurrentCallsAreSerialised(t *testing.T) {
	dir := newLab(t)
	if _, err := AddFault(dir, Fault{Match: "Write-Output", Kind: FaultFail, Nth: 1000}); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, _ = shellRun(dir, "", "-Command", "Write-Output 1")
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("call %d exited %d", i, c)
		}
	}
	err := Update(dir, func(st *State) error {
		if st.Faults[0].Seen != n {
			t.Errorf("the fault saw %d calls, want %d", st.Faults[0].Seen, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args   []string
		script string
		nonInt bool
		err    string
	}{
		{args: []string{"-noni", "-nop", "-ex", "Bypass", "-enc", pswrap.Encode("x")}, script: "x", nonInt: true},
		{args: []string{"-ec", pswrap.Encode("y")}, script: "y"},
		{args: []string{"-Command", "a", "b"}, script: "a b"},
		{args: []string{"Get-X", "-Y"}, script: "Get-X -Y"},
		{args: []string{"-No"}, err: "Parameter -No is ambiguous"},
		{args: []string{"-Bogus"}, err: "The term '-Bogus' is not recognized"},
		{args: []string{"-EncodedCommand"}, err: "Missing argument for parameter -EncodedCommand."},
		{args: []string{"-NoProfile"}, err: "is not interactive"},
		{args: []string{"-File", "x.ps1"}, err: "does not support -File"},
	}
	for _, tt := range tests {
		cl, err := parseCommandLine(tt.args, strings.NewReader(""))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || cl.script != tt.script || cl.nonInteractive != tt.nonInt {
			t.Errorf("%v: %+v, %v", tt.args, cl, err)
		}
	}
}

func TestFaultValidate(t *testing.T) {
	tests := []struct {
		f   Fault
		err string
	}{
		{Fault{Match: "x", Kind: FaultFail, Nth: 1, Times: 1}, ""},
		{Fault{Kind: FaultFail, Nth: 1, Times: 1}, "a fault needs match"},
		{Fault{Match: "(", Kind: FaultFail, Nth: 1, Times: 1}, `match "("`},
		{Fault{Match: "x", Kind: "drop", Nth: 1, Times: 1}, `kind "drop": want fail or hang`},
		{Fault{Match: "x", Kind: FaultHang, Nth: 1, Times: -2}, "times -2"},
		{Fault{Match: "x", Kind: FaultHang, Nth: 1, Times: 1, Message: "m"}, "message goes with kind fail"},
	}
	for _, tt := range tests {
		err := tt.f.Validate()
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%+v: %v, want %q", tt.f, err, tt.err)
		}
	}
}

// TestResetPutsThePoolBack: after a failover, resetting the lab (up
// --reset) puts the pool back as the config gives it, with the SQL side:
// a drill started again finds the pool Normal, not still FailedOver.
func TestResetPutsThePoolBack(t *testing.T) {
	dir := newLab(t)
	fresh, err := loadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Update(dir, func(st *State) error {
		st.PoolState, st.ActiveServers = "FailedOver", []string{"elsewhere.litwareinc.com"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := lab.Reset(dir, lab.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	st, err := loadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.PoolState != "Normal" || strings.Join(st.ActiveServers, ",") != strings.Join(fresh.ActiveServers, ",") {
		t.Errorf("after reset: pool %s, active servers %v; want Normal with %v", st.PoolState, st.ActiveServers, fresh.ActiveServers)
	}
}
