// Package lyncshell is the lab's stand-in for the Lync Server Management
// Shell: a program a powershell target can point at instead of
// powershell.exe. It takes powershell.exe's command line, decodes
// -EncodedCommand, recognises the wrapper ps.invoke sends (by its
// structure, internal/pswrap), and runs a small subset of PowerShell
// with the Persistent Chat cmdlets of domain.md F over a simulated pool
// kept in DIR/lync/state.json, locked per call. It reads the SQL
// instances' state (internal/lab, read-only) so that the two halves of
// the lab agree, answers what it does not simulate with an error, and
// obeys the faults of `failover-lab lync fault add` (fail N times,
// hang). See docs/powershell.md.
package lyncshell

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/pswrap"
)

// shell is one call: the script's variables and what it changed.
type shell struct {
	labDir string
	st     *State
	unlock func()
	dirty  bool
	vars   map[string]any
	lines  []string
	at     token

	moduleLoaded   bool
	nonInteractive bool
	log            *callLog
	// out is stdout: the warning stream goes there before the result,
	// as powershell.exe writes it.
	out    io.Writer
	stderr io.Writer
	// hang blocks for good (a test replaces it).
	hang func()
}

// Main runs the shell with powershell.exe's arguments (optionally led by
// --dir DIR; else FAILOVER_LAB_DIR names the lab) and returns the exit
// code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	labDir := os.Getenv("FAILOVER_LAB_DIR")
	if len(args) >= 2 && args[0] == "--dir" {
		labDir, args = args[1], args[2:]
	}
	cl, err := parseCommandLine(args, stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if labDir == "" {
		fmt.Fprintln(stderr, "failover lab shell: no lab dir: give --dir DIR first, or set FAILOVER_LAB_DIR")
		return 1
	}
	sh := &shell{labDir: labDir, vars: map[string]any{}, nonInteractive: cl.nonInteractive, out: stdout, stderr: stderr,
		hang: func() {
			for {
				time.Sleep(time.Hour)
			}
		}}
	unlock, err := lockState(labDir)
	if err != nil {
		fmt.Fprintln(stderr, "failover lab shell:", err)
		return 1
	}
	sh.unlock = unlock
	defer func() { sh.unlock() }()
	if sh.st, err = loadState(labDir); err != nil {
		fmt.Fprintln(stderr, "failover lab shell:", err)
		return 1
	}
	sh.log = openLog(labDir)
	defer sh.log.close()
	code := sh.script(cl.script, stdin, stdout)
	if sh.dirty {
		if err := saveState(labDir, sh.st); err != nil {
			fmt.Fprintln(stderr, "failover lab shell:", err)
			return 1
		}
	}
	sh.log.write(map[string]any{"event": "exit", "code": code})
	return code
}

// script runs a script: the ps.invoke wrapper, or plain statements.
func (sh *shell) script(src string, stdin io.Reader, stdout io.Writer) int {
	w, werr := pswrap.Parse(src)
	if werr != nil {
		if strings.HasPrefix(src, "# failover: ps.invoke wrapper") {
			fmt.Fprintln(sh.stderr, unsupported("", "this wrapper: %v", werr).record())
			return 1
		}
		sh.log.write(map[string]any{"event": "start", "mode": "command"})
		return sh.plain(src, stdout)
	}
	sh.log.write(map[string]any{"event": "start", "mode": "wrapper", "remote": w.Remote})
	return sh.wrapped(src, w, stdin, stdout)
}

// plain runs statements as -Command does: output formatted, errors on
// stderr, the next statement run after an error; exit 1 when the last
// one failed.
func (sh *shell) plain(src string, stdout io.Writer) int {
	sh.lines = strings.Split(src, "\n")
	stmts, err := parse(src)
	if err != nil {
		fmt.Fprint(sh.stderr, sh.record(err))
		return 1
	}
	out, failed, err := sh.run(stmts)
	fmt.Fprint(stdout, formatList(out))
	if ex, ok := err.(exitRequest); ok {
		return ex.code
	}
	if err != nil {
		fmt.Fprint(sh.stderr, sh.record(err))
		return 1
	}
	if failed {
		return 1
	}
	return 0
}

// warn writes to the warning stream ("WARNING: …" on its own line):
// ps.invoke keeps it in the step's other output.
func (sh *shell) warn(format string, args ...any) {
	fmt.Fprintf(sh.out, "WARNING: "+format+"\n", args...)
	sh.log.write(map[string]any{"event": "warning", "message": fmt.Sprintf(format, args...)})
}

// report writes a non-terminating error.
func (sh *shell) report(err error) {
	fmt.Fprint(sh.stderr, sh.record(err))
}

func (sh *shell) record(err error) string {
	switch e := err.(type) {
	case *psError:
		return e.record()
	case *parseError:
		return fromParse(e, sh.lines).record()
	}
	return err.Error() + "\n"
}

// wrapped runs the wrapper's payload where it says (locally, or on a
// simulated remote computer) and writes its result or error line.
func (sh *shell) wrapped(src string, w *pswrap.Wrapper, stdin io.Reader, stdout io.Writer) int {
	sh.lines = strings.Split(src, "\n")
	// The payload's preferences, which Parse found exactly as written.
	sh.vars["erroractionpreference"] = "Stop"
	sh.vars["progresspreference"] = "SilentlyContinue"
	sh.vars["confirmpreference"] = "None"
	defaults := newHashtable()
	defaults.set("*:Confirm", false)
	sh.vars["psdefaultparametervalues"] = defaults
	if err := sh.remote(w.Remote, stdin); err != nil {
		return sh.fail(err, stdout)
	}
	// Parse the body with the script's line numbers.
	stmts, err := parse(strings.Repeat("\n", w.BodyLine-1) + w.Body)
	if err != nil {
		// A script that does not parse runs nothing, catch included.
		fmt.Fprint(sh.stderr, sh.record(err))
		return 1
	}
	out, _, err := sh.run(stmts)
	if ex, ok := err.(exitRequest); ok {
		return ex.code
	}
	if err != nil {
		return sh.fail(err, stdout)
	}
	if out == nil {
		out = []any{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return sh.fail(unsupported("", "converting the result to JSON: %v", err), stdout)
	}
	fmt.Fprintln(stdout, pswrap.ResultMark+string(b)+pswrap.EndMark)
	return 0
}

// fail writes the wrapper's catch: the error line, the record, exit 1.
func (sh *shell) fail(err error, stdout io.Writer) int {
	e, ok := err.(*psError)
	if !ok {
		e = &psError{msg: err.Error(), errorID: "RuntimeException", excType: "System.Management.Automation.RuntimeException"}
	}
	b, _ := json.Marshal(map[string]string{"message": e.msg, "type": e.excType, "error_id": e.errorID,
		"category": e.category, "command": e.command, "target": e.target, "position": e.position()})
	fmt.Fprintln(stdout, pswrap.ErrorMark+string(b)+pswrap.EndMark)
	fmt.Fprint(sh.stderr, e.record())
	sh.log.write(map[string]any{"event": "error", "message": e.msg, "error_id": e.errorID})
	return 1
}

// remote simulates Invoke-Command: the computer must be one of the
// topology's, and a credential must carry the lab's password.
func (sh *shell) remote(r *pswrap.Remote, stdin io.Reader) error {
	if r == nil {
		return nil
	}
	known := strings.EqualFold(r.Computer, "localhost")
	for _, c := range sh.st.Computers {
		known = known || strings.EqualFold(c, r.Computer)
	}
	if !known {
		return remotingError(r.Computer, "NetworkPathNotFound",
			"Connecting to remote server %s failed with the following error message : WinRM cannot process the request because the computer %s cannot be found on the network. (lab: the computers are %s)",
			r.Computer, r.Computer, strings.Join(sh.st.Computers, ", "))
	}
	if r.User == "" {
		return nil
	}
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	pw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
	if err != nil || string(pw) != sh.st.AdminPassword {
		return remotingError(r.Computer, "AccessDenied",
			"Connecting to remote server %s failed with the following error message : Access is denied.", r.Computer)
	}
	return nil
}

func remotingError(computer, id, format string, args ...any) *psError {
	return &psError{msg: fmt.Sprintf(format, args...), errorID: id + ",PSSessionStateBroken",
		category: "OpenError: (" + computer + ":String) [], PSRemotingTransportException",
		excType:  "System.Management.Automation.Remoting.PSRemotingTransportException", target: computer}
}

// fault counts a cmdlet call against the faults and applies one that
// fires: fail raises an error; hang saves the state, lets go of the
// lock and blocks until the process is killed.
func (sh *shell) fault(cmd string) error {
	f := sh.st.fire(cmd)
	if len(sh.st.Faults) > 0 {
		sh.dirty = true
	}
	if f == nil {
		return nil
	}
	sh.log.write(map[string]any{"event": "fault", "id": f.ID, "kind": f.Kind, "cmdlet": cmd})
	if f.Kind == FaultHang {
		if err := saveState(sh.labDir, sh.st); err == nil {
			sh.dirty = false
		}
		sh.unlock()
		sh.unlock = func() {}
		sh.hang()
		return nil
	}
	msg := f.Message
	if msg == "" {
		msg = fmt.Sprintf("The failover lab injected this failure (fault %s).", f.ID)
	}
	return cmdletError(cmd, "LabFault", "OperationStopped", cmd, "System.InvalidOperationException", "%s", msg)
}

// sqlState is a database's state on a lab SQL instance: its state_desc,
// STANDBY for a readable standby, or an error when the instance is down
// or the database does not exist.
func (sh *shell) sqlState(instance, db string) (string, error) {
	insts, err := lab.ReadInstances(sh.labDir)
	if err != nil {
		return "", err
	}
	for _, in := range insts {
		if !strings.EqualFold(in.Name, instance) {
			continue
		}
		if in.Down {
			return "", fmt.Errorf("the instance does not respond (the lab's down fault on %s)", in.Name)
		}
		for _, d := range in.Databases {
			if strings.EqualFold(d.Name, db) {
				if d.Standby {
					return "STANDBY", nil
				}
				return d.State, nil
			}
		}
		return "", fmt.Errorf("database %s does not exist on %s", db, in.Name)
	}
	return "", fmt.Errorf("the lab has no SQL instance %s", instance)
}
