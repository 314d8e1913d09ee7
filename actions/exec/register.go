// Package exec runs programs: the exec.run action and the exec.check
// check. A program is started directly, never through a shell; its
// stdout and stderr go to the log line by line, and the end of each is
// kept for the step's outputs. When the attempt is cancelled or times
// out, the program is killed together with every process it started
// (a process group on Unix, a job object on Windows).
package exec

import (
	"fmt"

	"github.com/failover-dev/failover/actions"
)

// DefaultMaxOutput is how many bytes of the end of stdout and of stderr
// an attempt keeps for its outputs unless max_output says otherwise.
const DefaultMaxOutput = 64 << 10

// maxMaxOutput bounds max_output: outputs are journaled.
const maxMaxOutput = 16 << 20

// Params are the parameters shared by exec.run and exec.check.
type Params struct {
	Program   string            `param:"program,required" doc:"Program to run: a name looked up in PATH, or a path (a relative path is taken from dir). No shell is involved: no globbing, pipes or variable expansion."`
	Args      []string          `param:"args" doc:"Arguments, each passed to the program exactly as written."`
	Env       map[string]string `param:"env,secret" doc:"Environment variables set for the program, over the inherited environment. Values may hold secrets."`
	Dir       string            `param:"dir" doc:"Working directory (default: the directory failover runs in)."`
	MaxOutput int               `param:"max_output" default:"65536" doc:"Bytes of the end of stdout and of stderr kept in the outputs (at most 16 MiB)."`
}

// Register adds exec.run and exec.check to r.
func Register(r *actions.Registry) {
	r.Register(runType())
	r.Register(checkType())
}

// common holds the abilities exec.run and exec.check share: they take
// the same params and preview the same command line.
type common struct{}

// Validate checks decoded params beyond their types.
func (common) Validate(p *Params) error {
	switch {
	case p.Program == "":
		return fmt.Errorf("program must not be empty")
	case p.MaxOutput <= 0 || p.MaxOutput > maxMaxOutput:
		return fmt.Errorf("max_output must be between 1 and %d, got %d", maxMaxOutput, p.MaxOutput)
	}
	for k := range p.Env {
		if k == "" || containsAny(k, "=\x00") {
			return fmt.Errorf("env: %q is not a valid variable name", k)
		}
	}
	return nil
}

func containsAny(s, chars string) bool {
	for _, c := range s {
		for _, x := range chars {
			if c == x {
				return true
			}
		}
	}
	return false
}
