//go:build linux

package lab

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFileVanishOnOpen: the first program that opens the file makes it
// vanish (inotify): it is gone when the reader looks again.
func TestFileVanishOnOpen(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	f := addFault(t, tl, r, Fault{Kind: FaultFileVanish})
	st, _, _ := readFaultState(tl.dir, f.ID)
	r.tick(time.Now()) // watches the file
	fh, err := os.Open(st.Local)
	if err != nil {
		t.Fatal(err)
	}
	fh.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := os.Stat(st.Local)
		if cur, _, _ := readFaultState(tl.dir, f.ID); errors.Is(err, os.ErrNotExist) && cur.Done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the file did not vanish after it was opened")
		}
		time.Sleep(5 * time.Millisecond)
	}
	clearFault(t, tl, r, f.ID)
	if _, err := os.Stat(st.Local); err != nil {
		t.Errorf("not back after clear: %v", err)
	}
}

// TestDiskFull: the copy folder becomes a size-limited one (a tmpfs in a
// user namespace): a write beyond its free space fails with ENOSPC, the
// lab's SQL Server still reads its files through the Windows path, and
// clearing the fault keeps what was written.
func TestDiskFull(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	_, err := AddFault(tl.dir, Fault{Kind: FaultDiskFull, Free: 64 << 10})
	if err != nil && strings.Contains(err.Error(), "this system refused it") {
		t.Skipf("no size-limited folder here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	r.refresh()
	name := firstFile(t, tl.copyDir())
	if e := headerErr(t, tl, `D:\LSCopy\mgc\`+name); e != nil {
		t.Errorf("HEADERONLY from the full folder: %s", *e)
	}
	if err := os.WriteFile(filepath.Join(tl.copyDir(), "fits.bin"), make([]byte, 32<<10), 0o644); err != nil {
		t.Fatalf("32 KiB into 64 KiB of free space: %v", err)
	}
	err = os.WriteFile(filepath.Join(tl.copyDir(), "too-big.bin"), make([]byte, 64<<10), 0o644)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("64 KiB more: %v, want ENOSPC", err)
	}
	st := faultStates(tl.dir)[0]
	if removed, err := ClearFaults(tl.dir, st.ID); err != nil || !removed {
		t.Fatalf("clear: %v", err)
	}
	fi, err := os.Lstat(tl.copyDir())
	if err != nil || !fi.IsDir() {
		t.Fatalf("the copy folder after clear: %v %v, want a real folder", fi.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(tl.copyDir(), "fits.bin")); err != nil {
		t.Errorf("what was written during the fault is lost: %v", err)
	}
	if err := syscall.Kill(st.Holder, 0); err == nil && !zombieProc(st.Holder) {
		t.Errorf("the holder %d still runs", st.Holder)
	}
}

func zombieProc(pid int) bool {
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	i := strings.LastIndexByte(string(b), ')')
	return err != nil || i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}
