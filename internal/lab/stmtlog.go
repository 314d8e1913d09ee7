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

// The effects a statement line records: whether the statement changed
// the server's state. A test proves that a run sent no write by finding
// no line whose effect starts with "write".
const (
	// EffectRead is a statement that only reads (SELECT, SET, USE, …).
	EffectRead = "read"
	// EffectWrite is a statement that changed the server's state (a
	// database, msdb, a session it ended).
	EffectWrite = "write"
	// EffectWriteFailed is a statement that would change state (RESTORE,
	// KILL, ALTER DATABASE, a procedure that writes, or one the lab could
	// not even parse) but changed nothing: it was refused or failed.
	EffectWriteFailed = "write-failed"
)

// noField fills a line's login or effect column when it has none.
const noField = "-"

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

// logEntry is one line of the statement log.
type logEntry struct {
	instance string
	spid     int
	// login is the session's login name ("" when there is none).
	login string
	kind  string
	// effect is EffectRead, EffectWrite or EffectWriteFailed for a
	// statement, "" for other lines.
	effect string
	text   string
}

// write appends a line that belongs to no statement (a fault that fired,
// an instance going down).
func (l *stmtLog) write(instance string, spid int, kind, text string) {
	l.writeEntry(logEntry{instance: instance, spid: spid, kind: kind, text: text})
}

// writeEntry appends one line: time, instance, spid, login, kind, effect,
// text (tabs and line breaks escaped so a line stays one line; password
// literals masked).
func (l *stmtLog) writeEntry(e logEntry) {
	if l == nil {
		return
	}
	text := passwordRe.ReplaceAllString(e.text, "${1}'***'")
	line := fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%s\t%s\n", time.Now().UTC().Format(time.RFC3339Nano),
		e.instance, e.spid, field(e.login), e.kind, field(e.effect), escapeField(text))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		_, _ = l.f.WriteString(line) // a full disk must not fail the statement
	}
}

// field escapes a column value, "-" when it is empty.
func field(s string) string {
	if s == "" {
		return noField
	}
	return escapeField(s)
}

var fieldEscaper = strings.NewReplacer("\\", `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)

func escapeField(s string) string { return fieldEscaper.Replace(s) }

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
