package ps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/proc"
	"github.com/failover-dev/failover/internal/pswrap"
)

// errorRecord is what the wrapper writes for a PowerShell error.
type errorRecord struct {
	Message  string `json:"message"`
	Type     string `json:"type"`
	ErrorID  string `json:"error_id"`
	Category string `json:"category"`
	Command  string `json:"command"`
	Target   string `json:"target"`
	Position string `json:"position"`
}

// values reads the outcome of a command as domain.md G.1 says: the exit
// code is not trusted alone. Success is exit 0 with a result line; a
// PowerShell error is the error line, whatever the exit code; anything
// else (no line, a line with the wrong exit code) is an error naming the
// exit code and the last line of stderr.
func values(c command, res *proc.Result, redact func(string) string) ([]any, error) {
	if res.CaptureOverflow {
		return nil, actions.MarkPermanent(fmt.Errorf("%s: the result is larger than %d bytes: select fewer properties", c.name(), maxResult))
	}
	kind, payload := lastMarked(res.Captured)
	switch {
	case kind == pswrap.ErrorMark:
		return nil, recordError(c, payload, res.ExitCode, redact)
	case kind == pswrap.ResultMark && res.ExitCode == 0:
		return decodeValues(c, payload)
	case kind == pswrap.ResultMark:
		return nil, fmt.Errorf("%s wrote its result but PowerShell exited with code %d%s", c.name(), res.ExitCode, stderrTail(res))
	case res.ExitCode == 0:
		return nil, fmt.Errorf("%s: PowerShell exited with code 0 but wrote no result line (the wrapper did not finish)%s", c.name(), stderrTail(res))
	}
	return nil, fmt.Errorf("%s: PowerShell exited with code %d without a result%s", c.name(), res.ExitCode, stderrTail(res))
}

func stderrTail(res *proc.Result) string {
	if res.LastStderr == "" {
		return ""
	}
	return ": " + res.LastStderr
}

// lastMarked returns the kind and the JSON of the last result or error
// line: the wrapper writes its line last, so any earlier look-alike is
// output of the command.
func lastMarked(lines []string) (kind, payload string) {
	for i := len(lines) - 1; i >= 0; i-- {
		for _, mark := range []string{pswrap.ResultMark, pswrap.ErrorMark} {
			at := strings.LastIndex(lines[i], mark)
			if at < 0 {
				continue
			}
			rest := lines[i][at+len(mark):]
			end := strings.LastIndex(rest, pswrap.EndMark)
			if end < 0 {
				continue
			}
			return mark, rest[:end]
		}
	}
	return "", ""
}

// decodeValues reads the result: a JSON list of what the command wrote.
func decodeValues(c command, payload string) ([]any, error) {
	dec := json.NewDecoder(strings.NewReader(payload))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: read the result line: %w", c.name(), err)
	}
	list, ok := v.([]any)
	if !ok {
		// ConvertTo-Json of a one-element list gives the element on
		// some hosts: take it as the one value.
		list = []any{v}
	}
	return plain(list).([]any), nil
}

// plain turns json.Number into int64 or float64, recursively, as
// outputs want.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = plain(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plain(x[k])
		}
	}
	return v
}

// recordError turns the wrapper's error line into an error that names
// the command and the error record, classified: a command, parameter or
// module that does not exist, and a script that does not parse, will
// not fix themselves; a broken remoting connection may.
func recordError(c command, payload string, exitCode int, redact func(string) string) error {
	var rec errorRecord
	if err := json.NewDecoder(bytes.NewReader([]byte(payload))).Decode(&rec); err != nil {
		return fmt.Errorf("%s failed, and its error line is unreadable (%v)", c.name(), err)
	}
	var b strings.Builder
	b.WriteString(c.name() + " failed: " + strings.TrimSpace(rec.Message))
	var record []string
	if rec.Command != "" && !strings.EqualFold(rec.Command, c.Cmdlet) {
		record = append(record, "in "+rec.Command)
	}
	if rec.Category != "" {
		record = append(record, "CategoryInfo: "+rec.Category)
	}
	if rec.ErrorID != "" {
		record = append(record, "FullyQualifiedErrorId: "+rec.ErrorID)
	}
	if len(record) > 0 {
		b.WriteString(" (" + strings.Join(record, "; ") + ")")
	}
	if exitCode != 1 {
		fmt.Fprintf(&b, " [exit code %d]", exitCode)
	}
	err := fmt.Errorf("%s", redact(b.String()))
	switch {
	case permanentRecord(rec):
		return actions.MarkPermanent(err)
	case strings.Contains(rec.Type, "PSRemotingTransportException"):
		return actions.MarkRetryable(err)
	}
	return err
}

// permanentRecord reports errors no retry can fix.
func permanentRecord(rec errorRecord) bool {
	for _, id := range []string{"CommandNotFoundException", "NamedParameterNotFound", "ParameterArgumentValidationError",
		"ParameterArgumentTransformationError", "MissingArgument", "AmbiguousParameterSet", "ParseException", "Modules_ModuleNotFound"} {
		if strings.Contains(rec.ErrorID, id) || strings.Contains(rec.Type, id) {
			return true
		}
	}
	return false
}

// outputs turns the values into the step's outputs: result (null, the
// one value, or the list), count, the other output, and, when the one
// value is an object, each of its properties (result and count win).
func outputs(vals []any, other string) map[string]any {
	out := map[string]any{"count": int64(len(vals)), "output": other}
	switch len(vals) {
	case 0:
		out["result"] = nil
	case 1:
		out["result"] = vals[0]
		if m, ok := vals[0].(map[string]any); ok {
			for k, v := range m {
				if _, taken := out[k]; !taken {
					out[k] = v
				}
			}
		}
	default:
		out["result"] = vals
	}
	return out
}
