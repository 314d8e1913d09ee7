//go:build !windows

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// detach makes the child a session leader (setsid), so it has no
// controlling terminal and outlives the shell and the `up` that started
// it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}

// processAlive reports whether a process with the pid exists. EPERM means
// it exists under another user.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return (err == nil || errors.Is(err, syscall.EPERM)) && !zombie(pid)
}

// zombie reports whether pid has exited but not been reaped yet (Linux:
// state Z in /proc/PID/stat). A killed lab is a zombie until init reaps
// it, which in a container can take a while; it serves nothing, so up
// must start a new lab rather than wait for it.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The command name in parentheses may hold spaces: the state follows
	// the last ')'.
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// requestStop asks the lab to stop gracefully: SIGTERM, which serve
// handles like the stop file.
func requestStop(pid int) error {
	return syscall.Kill(pid, syscall.SIGTERM)
}

// killProcess ends the process at once.
func killProcess(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Signal(syscall.SIGKILL)
}

// stopSignals are the signals that stop a foreground serve.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}
