package ps

import (
	"context"
	"encoding/base64"
	"fmt"
	osexec "os/exec"
	"strings"
	"sync"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/targets"
	"github.com/failover-dev/failover/internal/proc"
	"github.com/failover-dev/failover/internal/pswrap"
)

// opener opens a powershell target for a run: a runner.
type opener struct{}

// Open checks that the executable can be found and returns the runner
// every ps.* step and check of the target shares for the run.
func (opener) Open(_ context.Context, _ *actions.OpenEnv, p *targets.PowerShell) (actions.Handle, error) {
	r := newRunner(p)
	if _, err := osexec.LookPath(r.program); err != nil {
		return nil, actions.MarkPermanent(fmt.Errorf("find PowerShell %s: %w", r.program, err))
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

// runner holds how to run PowerShell for one target: the executable and
// its arguments, the modules and the remote settings. Each command is a
// process of its own (a PowerShell session keeps no state a step could
// rely on); Close ends any that still runs.
type runner struct {
	program  string
	args     []string
	modules  []string
	remote   *pswrap.Remote
	password string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newRunner(p *targets.PowerShell) *runner {
	r := &runner{program: p.Program(), args: p.Args, modules: p.Modules, password: p.Password}
	if p.Computer != "" {
		r.remote = &pswrap.Remote{Computer: p.Computer, User: p.User,
			Authentication: p.Authentication, ConfigurationName: p.ConfigurationName}
	}
	return r
}

// Close ends every command still running and waits for it.
func (r *runner) Close() error {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
	return nil
}

// switches are failover's own arguments, after the target's args.
var switches = []string{"-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-OutputFormat", "Text", "-EncodedCommand"}

// maxCommandLine is Windows' limit for a command line.
const maxCommandLine = 32767

// script returns the whole script for a command body.
func (r *runner) script(body string) string {
	return pswrap.Build(&pswrap.Wrapper{Modules: r.modules, Body: body, Remote: r.remote})
}

// argv returns the arguments for a script, or an error when the command
// line would be too long for Windows.
func (r *runner) argv(script string) ([]string, error) {
	args := append(append(append([]string(nil), r.args...), switches...), pswrap.Encode(script))
	n := len(r.program)
	for _, a := range args {
		n += len(a) + 1
	}
	if n > maxCommandLine {
		return nil, actions.MarkPermanent(fmt.Errorf("the encoded command line has %d characters, more than Windows allows (%d): shorten the script or its values", n, maxCommandLine))
	}
	return args, nil
}

// stdin is what the script reads: the password, base64, when the
// remote session has a credential; nothing otherwise.
func (r *runner) stdin() string {
	if r.remote == nil || r.remote.User == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(r.password)) + "\n"
}

// maxResult bounds the result line: outputs are journaled.
const maxResult = 8 << 20

// run runs one command and returns its outcome; an error means it could
// not run or was cut short (timeout, cancellation: the process tree is
// killed).
func (r *runner) run(ctx context.Context, env *actions.Env, body string, maxOutput int) (*proc.Result, error) {
	argv, err := r.argv(r.script(body))
	if err != nil {
		return nil, err
	}
	r.wg.Add(1)
	defer r.wg.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if r.ctx != nil {
		stop := context.AfterFunc(r.ctx, cancel)
		defer stop()
	}
	return proc.Run(ctx, &proc.Command{
		Program: r.program, Args: argv, Stdin: strings.NewReader(r.stdin()),
		Log: env.Log, Redact: env.Redact, MaxOutput: maxOutput,
		Capture: pswrap.Mark, MaxCapture: maxResult, Started: env.RecordProcess,
	})
}
