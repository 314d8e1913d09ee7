package lab

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
)

// StatementLog is the file in the lab dir where every instance appends
// every statement it received.
const StatementLog = "statements.log"

// stmtLog appends statement lines to DIR/statements.log.
type stmtLog struct {
	mu sync.Mutex
	f  *os.File // guarded by mu; nil: not logging
}

func openStmtLog(path string) (*stmtLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open statement log: %w", err)
	}
	return &stmtLog{f: f}, nil
}

// passwordRe finds password literals in statement text (CREATE LOGIN …
// PASSWORD = '…'), which are never written.
var passwordRe = regexp.MustCompile(`(?i)(password\s*=\s*)N?'(?:[^']|'')*'`)

// write appends one line: time, instance, spid, kind, text (tabs and line
// breaks escaped so a statement stays one line).
func (l *stmtLog) write(instance string, spid int, kind, text string) {
	if l == nil {
		return
	}
	text = passwordRe.ReplaceAllString(text, "${1}'***'")
	text = strings.NewReplacer("\\", `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(text)
	line := fmt.Sprintf("%s\t%s\t%d\t%s\t%s\n", time.Now().UTC().Format(time.RFC3339Nano), instance, spid, kind, text)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		_, _ = l.f.WriteString(line) // a full disk must not fail the statement
	}
}

func (l *stmtLog) close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
