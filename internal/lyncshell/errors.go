package lyncshell

import (
	"fmt"
	"strings"
)

// psError is an error record as PowerShell would write it: the message,
// FullyQualifiedErrorId, CategoryInfo, exception type, the command and
// where in the script it happened.
type psError struct {
	msg      string
	errorID  string
	category string
	excType  string
	command  string
	target   string
	// line and col (1-based) and the script line, for the position.
	line, col int
	text      string
}

func (e *psError) Error() string { return e.msg }

// parseError is a ParseException.
type parseError struct {
	line, col int
	msg       string
}

func (e *parseError) Error() string { return e.msg }

// cmdletClass names a cmdlet's .NET class for FullyQualifiedErrorId.
func cmdletClass(name string) string {
	if c := lookupCmdlet(name); c != nil && c.class != "" {
		return c.class
	}
	return "Microsoft.Rtc.Management." + strings.ReplaceAll(name, "-", "") + "Cmdlet"
}

// bindError is a ParameterBindingException of cmdlet c.
func bindError(c string, id, category, format string, args ...any) *psError {
	return &psError{msg: fmt.Sprintf(format, args...), errorID: id + "," + cmdletClass(c),
		category: category + ": (:) [" + c + "], ParameterBindingException",
		excType:  "System.Management.Automation.ParameterBindingException", command: c}
}

// cmdletError is an error a cmdlet itself raises.
func cmdletError(c, id, category, target, exc, format string, args ...any) *psError {
	return &psError{msg: fmt.Sprintf(format, args...), errorID: id + "," + cmdletClass(c),
		category: fmt.Sprintf("%s: (%s:String) [%s], %s", category, target, c, shortType(exc)),
		excType:  exc, command: c, target: target}
}

func shortType(full string) string {
	return full[strings.LastIndex(full, ".")+1:]
}

// notRecognized is what PowerShell says of a command it cannot find;
// the lab adds what it does simulate, since it cannot tell a typo from a
// real cmdlet it lacks.
func notRecognized(name string) *psError {
	return &psError{
		msg: fmt.Sprintf("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. "+
			"Check the spelling of the name, or if a path was included, verify that the path is correct and try again. "+
			"(The failover lab's Management Shell simulates only: %s.)", name, strings.Join(simulatedNames(), ", ")),
		errorID: "CommandNotFoundException", category: "ObjectNotFound: (" + name + ":String) [], CommandNotFoundException",
		excType: "System.Management.Automation.CommandNotFoundException", target: name}
}

// unsupported is the lab's answer for something it does not simulate.
func unsupported(command, format string, args ...any) *psError {
	return &psError{msg: "The failover lab's Management Shell does not support this: " + fmt.Sprintf(format, args...),
		errorID: "LabNotSimulated", category: "NotImplemented: (:) [" + command + "], NotSupportedException",
		excType: "System.NotSupportedException", command: command}
}

// record renders the error record as PowerShell writes it to stderr.
func (e *psError) record() string {
	var b strings.Builder
	if e.command != "" {
		b.WriteString(e.command + " : ")
	}
	b.WriteString(e.msg + "\n")
	if e.line > 0 {
		fmt.Fprintf(&b, "At line:%d char:%d\n+ %s\n", e.line, e.col, e.text)
	}
	fmt.Fprintf(&b, "    + CategoryInfo          : %s\n", e.category)
	fmt.Fprintf(&b, "    + FullyQualifiedErrorId : %s\n", e.errorID)
	return b.String()
}

// position is InvocationInfo.PositionMessage.
func (e *psError) position() string {
	if e.line == 0 {
		return ""
	}
	return fmt.Sprintf("At line:%d char:%d\n+ %s", e.line, e.col, e.text)
}

// fromParse turns a parse error into a record.
func fromParse(e *parseError, lines []string) *psError {
	r := &psError{msg: e.msg, errorID: "ParseException", category: "ParserError: (:) [], ParentContainsErrorRecordException",
		excType: "System.Management.Automation.ParseException", line: e.line, col: e.col}
	if e.line-1 < len(lines) {
		r.text = lines[e.line-1]
	}
	return r
}
