//go:build unix

package proc

import (
	"errors"
	osexec "os/exec"
	"syscall"
)

// tree is the program and everything it starts: a process group whose
// id is the program's pid.
type tree struct {
	cmd *osexec.Cmd
}

// newTree makes cmd start in a new process group and makes the
// context's cancellation kill the whole group, not just the program.
func newTree(cmd *osexec.Cmd) (*tree, error) {
	t := &tree{cmd: cmd}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = t.kill
	return t, nil
}

func (t *tree) start() error { return t.cmd.Start() }

// group is the tree's process group: the program's pid.
func (t *tree) group() int { return t.cmd.Process.Pid }

// kill sends SIGKILL to every process of the group. A group that no
// longer exists is not an error.
func (t *tree) kill() error {
	if t.cmd.Process == nil {
		return nil
	}
	err := syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// release kills whatever the program left running in its group: a
// runbook step must not leave stray processes behind.
func (t *tree) release() { _ = t.kill() }
