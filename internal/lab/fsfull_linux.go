//go:build linux

package lab

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// vanishOnOpen: Linux's inotify lets the lab see a program open a file.
const vanishOnOpen = true

// holderScript mounts a size-limited tmpfs in the holder's own user and
// mount namespace (which an unprivileged user may do) and keeps the
// namespace alive for a day at most.
const holderScript = `mount -t tmpfs -o "$2" failover-lab-disk-full "$1" || exit 1
echo ready
exec sleep 86400 </dev/null >/dev/null 2>&1`

// fillDisk makes the folder a size-limited one: a holder process mounts
// a tmpfs of the folder's current size plus free bytes in a namespace of
// its own, the folder's files are copied into it, and the folder is
// replaced by a link to it through /proc/PID/root. Every program on the
// machine then writes into the tmpfs and gets ENOSPC beyond the limit,
// with no FUSE and no privilege. The folder itself is kept in orig.
func fillDisk(dir string, st *fileFaultState, free int64) error {
	mnt := filepath.Join(resolve(dir, "."), faultStateDir, st.ID, "mnt")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return err
	}
	used, err := folderPages(st.Local)
	if err != nil {
		return err
	}
	opts := "size=" + strconv.FormatInt(used+roundPage(free), 10)
	if used+free == 0 {
		// size=0 would mean "no limit"; no inode but the root's is full.
		opts = "size=" + strconv.Itoa(os.Getpagesize()) + ",nr_inodes=1"
	}
	pid, err := startHolder(mnt, opts)
	if err != nil {
		return err
	}
	view := holderView(pid, mnt)
	orig := st.origPath(dir)
	undoAll := func(e error) error {
		killHolder(pid, view)
		return e
	}
	if err := copyTree(st.Local, view); err != nil {
		return undoAll(fmt.Errorf("copy %s into the size-limited folder: %w", st.Local, err))
	}
	if err := os.Rename(st.Local, orig); err != nil {
		return undoAll(err)
	}
	if err := os.Symlink(view, st.Local); err != nil {
		return undoAll(errors.Join(err, os.Rename(orig, st.Local)))
	}
	st.Holder, st.Mount = pid, mnt
	return nil
}

// emptyDisk puts a real folder back with what the size-limited one holds
// (what was written during the fault stays), and ends the holder. If the
// holder is gone (a reboot), the folder comes back as it was before the
// fault: what was written meanwhile is lost with the tmpfs.
func emptyDisk(dir string, st fileFaultState) error {
	view, orig := holderView(st.Holder, st.Mount), st.origPath(dir)
	back := filepath.Join(faultDir(dir, st.ID), "back")
	src := orig
	if isTmpfs(view) {
		if err := copyTree(view, back); err != nil {
			return fmt.Errorf("copy the files out of the size-limited folder: %w", err)
		}
		src = back
	}
	if fi, err := os.Lstat(st.Local); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if err := os.Remove(st.Local); err != nil {
			return err
		}
	}
	if err := os.Rename(src, st.Local); err != nil {
		return err
	}
	killHolder(st.Holder, view)
	return nil
}

// startHolder starts the holder and waits until its tmpfs is mounted.
func startHolder(mnt, opts string) (int, error) {
	cmd := exec.Command("/bin/sh", "-c", holderScript, "failover-lab-disk-full", mnt, opts)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setsid:      true, // outlives the fault add that started it
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, notAvailable(err)
	}
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- strings.TrimSpace(line) == "ready"
	}()
	select {
	case ok := <-ready:
		if ok {
			// The holder runs on alone; its exit is reaped by killHolder
			// (or by init once this process has exited).
			return cmd.Process.Pid, nil
		}
		err = cmd.Wait()
		return 0, notAvailable(fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String())))
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return 0, notAvailable(errors.New("the holder did not mount its tmpfs within 10s"))
	}
}

func notAvailable(err error) error {
	return fmt.Errorf("disk-full needs a size-limited folder, which the lab makes as a tmpfs in a user namespace; this system refused it (%w)", err)
}

// holderView is the holder's tmpfs as seen from outside its namespace.
func holderView(pid int, mnt string) string {
	return "/proc/" + strconv.Itoa(pid) + "/root" + mnt
}

// isTmpfs reports whether view is a tmpfs: the holder is alive and it is
// ours (a reused pid shows the real, empty mnt folder instead).
func isTmpfs(view string) bool {
	var fs unix.Statfs_t
	return unix.Statfs(view, &fs) == nil && fs.Type == unix.TMPFS_MAGIC
}

// killHolder ends the holder when it still holds its tmpfs, and reaps it
// when it is this process's child.
func killHolder(pid int, view string) {
	if pid <= 0 || !isTmpfs(view) {
		return
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return
	}
	if parentOf(pid) == os.Getpid() {
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
	}
}

// parentOf reads a process's parent pid from /proc/PID/stat.
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}
