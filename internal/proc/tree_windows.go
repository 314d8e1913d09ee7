//go:build windows

package proc

import (
	"fmt"
	osexec "os/exec"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// tree is the program and everything it starts: a job object with
// KILL_ON_JOB_CLOSE, so closing the job's last handle (or failover
// dying) ends every process in it.
type tree struct {
	cmd *osexec.Cmd
	job windows.Handle
	// cancelled is set by kill: a cancellation that came between Start
	// and the program's joining the job found the job empty.
	cancelled atomic.Bool
}

// newTree creates the job and makes the context's cancellation
// terminate the whole job. The program starts suspended so that it
// cannot start a child before it is inside the job.
func newTree(cmd *osexec.Cmd) (*tree, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("create job object: %w", err)
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{}
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	_, err = windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)))
	if err != nil {
		windows.CloseHandle(job)
		return nil, fmt.Errorf("set job object limits: %w", err)
	}
	t := &tree{cmd: cmd, job: job}
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_SUSPENDED}
	cmd.Cancel = t.kill
	return t, nil
}

// start starts the program suspended, puts it in the job, then lets it run.
func (t *tree) start() error {
	if err := t.cmd.Start(); err != nil {
		return err
	}
	pid := uint32(t.cmd.Process.Pid)
	if err := t.assign(pid); err != nil {
		_ = t.cmd.Process.Kill()
		_ = t.cmd.Wait()
		return fmt.Errorf("put process %d in job object: %w", pid, err)
	}
	if t.cancelled.Load() {
		// Cancelled before it joined the job, whose termination then
		// missed it: end it before it runs; Wait reports it killed.
		_ = t.kill()
		return nil
	}
	if err := resumeThreads(pid); err != nil {
		_ = t.kill()
		_ = t.cmd.Wait()
		return fmt.Errorf("resume process %d: %w", pid, err)
	}
	return nil
}

func (t *tree) assign(pid uint32) error {
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, pid)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	return windows.AssignProcessToJobObject(t.job, h)
}

// kill terminates every process in the job.
// group is 0: the tree is a job object, which ends with failover.
func (t *tree) group() int { return 0 }

func (t *tree) kill() error {
	t.cancelled.Store(true)
	return windows.TerminateJobObject(t.job, 1)
}

// release closes the job: KILL_ON_JOB_CLOSE ends whatever the program
// left running.
func (t *tree) release() { windows.CloseHandle(t.job) }

// resumeThreads resumes the threads of a process started suspended.
func resumeThreads(pid uint32) error {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPTHREAD, 0)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(snap)
	entry := windows.ThreadEntry32{Size: uint32(unsafe.Sizeof(windows.ThreadEntry32{}))}
	resumed := 0
	for err = windows.Thread32First(snap, &entry); err == nil; err = windows.Thread32Next(snap, &entry) {
		if entry.OwnerProcessID != pid {
			continue
		}
		th, err := windows.OpenThread(windows.THREAD_SUSPEND_RESUME, false, entry.ThreadID)
		if err != nil {
			return err
		}
		_, err = windows.ResumeThread(th)
		windows.CloseHandle(th)
		if err != nil {
			return err
		}
		resumed++
	}
	if resumed == 0 {
		return fmt.Errorf("no thread found")
	}
	return nil
}
