package ps

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// waitGone fails unless process pid is gone (or a zombie) within a
// minute of the kill.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'Z' {
			return
		}
	}
	t.Errorf("process %d still runs", pid)
}
