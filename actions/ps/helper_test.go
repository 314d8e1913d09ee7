package ps

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/targets"
	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/lyncshell"
)

// shellEnv makes the test binary the lab's Management Shell when a test
// runs it as the powershell target's executable (the re-exec pattern).
const shellEnv = "FAILOVER_PS_TEST_SHELL"

func TestMain(m *testing.M) {
	if os.Getenv(shellEnv) == "1" {
		os.Exit(lyncshell.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Setenv(shellEnv, "1") // for the children only: checked above
	os.Exit(m.Run())
}

// newLab initialises a lab dir with the default topology.
func newLab(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := lab.Init(dir, lab.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shellTarget is a powershell target whose executable is the stand-in
// of the lab in dir; remote settings may be filled in by the caller.
func shellTarget(t *testing.T, dir string) *targets.PowerShell {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &targets.PowerShell{Executable: self, Args: []string{"--dir", dir}, Modules: []string{"Lync"}}
}

// open opens the target as the engine does and returns an Env for it,
// logging to log (nil: nowhere).
func open(t *testing.T, tp *targets.PowerShell, log *bytes.Buffer) *actions.Env {
	t.Helper()
	h, err := opener{}.Open(context.Background(), &actions.OpenEnv{}, tp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	l := zerolog.Nop()
	if log != nil {
		l = zerolog.New(log)
	}
	return &actions.Env{Log: l, Mode: actions.ModeRun,
		Target: &actions.Target{Name: "lync", Type: "powershell", Params: tp, Handle: h},
		Redact: strings.NewReplacer("Lab-Passw0rd!", "(secret)").Replace}
}

// invoke runs ps.invoke after validating its params as the loader does.
func invoke(t *testing.T, env *actions.Env, p *InvokeParams) (map[string]any, error) {
	t.Helper()
	if p.MaxOutput == 0 {
		p.MaxOutput = DefaultMaxOutput
	}
	if err := (invoker{}).Validate(p); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return invoker{}.Run(context.Background(), env, p)
}

// shellEvents reads DIR/lync/shell.log.
func shellEvents(t *testing.T, dir string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, lyncshell.Dir, lyncshell.LogFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("shell.log line %q: %v", sc.Text(), err)
		}
		out = append(out, ev)
	}
	return out
}

// lastCmdlet returns the params of the last call of cmdlet in the log.
func lastCmdlet(t *testing.T, dir, cmdlet string) map[string]any {
	t.Helper()
	evs := shellEvents(t, dir)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i]["event"] == "cmdlet" && evs[i]["cmdlet"] == cmdlet {
			p, _ := evs[i]["params"].(map[string]any)
			return p
		}
	}
	t.Fatalf("shell.log has no call of %s", cmdlet)
	return nil
}

// addFault adds a shell fault to the lab in dir.
func addFault(t *testing.T, dir, match, kind string, times int) {
	t.Helper()
	if _, err := lyncshell.AddFault(dir, lyncshell.Fault{Match: match, Kind: lyncshell.FaultKind(kind), Times: times}); err != nil {
		t.Fatal(err)
	}
}
