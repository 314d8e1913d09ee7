//go:build windows

package main

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// detach starts the child without a console (DETACHED_PROCESS) in its own
// process group, so closing the console of `up` or Ctrl-C in it does not
// reach the lab.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CreationFlags: windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP,
		HideWindow:    true,
	}
}

// stillActive is GetExitCodeProcess's code for a running process.
const stillActive = 259

// processAlive reports whether a process with the pid is running.
func processAlive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		// Access denied means it exists under another account.
		return err == windows.ERROR_ACCESS_DENIED
	}
	defer windows.CloseHandle(h)
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return false
	}
	return code == stillActive
}

// requestStop has no signal to send on Windows: the stop file that down
// writes is the request, and serve polls for it.
func requestStop(pid int) error { return nil }

// killProcess ends the process at once (TerminateProcess).
func killProcess(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// stopSignals are the signals that stop a foreground serve.
var stopSignals = []os.Signal{os.Interrupt}
