package ps

import (
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// waitGone fails unless process pid ends within a minute of the kill.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return // gone already
	}
	defer windows.CloseHandle(h)
	if ev, _ := windows.WaitForSingleObject(h, uint32(time.Minute/time.Millisecond)); ev != windows.WAIT_OBJECT_0 {
		t.Errorf("process %d still runs", pid)
	}
}
