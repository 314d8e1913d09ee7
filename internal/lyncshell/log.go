package lyncshell

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// callLog appends the shell's events to DIR/lync/shell.log.
type callLog struct {
	f *os.File
}

func openLog(labDir string) *callLog {
	f, err := os.OpenFile(filepath.Join(labDir, Dir, LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return &callLog{}
	}
	return &callLog{f: f}
}

// write appends one event with the time and pid; the shell never sees a
// password in a cmdlet's parameters, and the credential's is not logged.
func (l *callLog) write(ev map[string]any) {
	if l == nil || l.f == nil {
		return
	}
	ev["time"] = time.Now().UTC().Format(time.RFC3339Nano)
	ev["pid"] = os.Getpid()
	b, err := json.Marshal(ev)
	if err != nil {
		return
	}
	l.f.Write(append(b, '\n'))
}

func (l *callLog) close() {
	if l != nil && l.f != nil {
		l.f.Close()
	}
}

// logCall records a cmdlet and its bound parameters.
func (sh *shell) logCall(name string, b bound) {
	sh.log.write(map[string]any{"event": "cmdlet", "cmdlet": name, "params": map[string]any(b)})
}
