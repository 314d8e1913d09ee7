// Package pswrap is the PowerShell script ps.invoke and ps.check send:
// the command (a cmdlet call or a script) inside a wrapper that makes
// errors terminating, answers no prompt, imports the modules, runs the
// command locally or through Invoke-Command, and writes the result as
// one line of JSON between sentinels. Build writes it; Parse reads it
// back, which is what the lab's Management Shell does instead of
// implementing PowerShell.
package pswrap

import (
	"fmt"
	"strings"
)

// The sentinels around the result line. The wrapper writes exactly one
// of them, last, so a line that only looks like it (a module echoing
// text) is followed by the real one.
const (
	ResultMark = "<<<FAILOVER-JSON>>>"
	ErrorMark  = "<<<FAILOVER-ERROR>>>"
	EndMark    = "<<<END>>>"
	// Mark is what both result lines contain.
	Mark = "<<<FAILOVER-"
)

// The lines that delimit the payload, and the first line of the script.
const (
	header       = "# failover: ps.invoke wrapper, version 1"
	markerOpen   = "# >>> failover"
	markerClose  = "# <<< failover"
	payloadStart = markerOpen + " payload"
	payloadEnd   = markerClose + " payload"
)

// IsMarkerLine reports whether line, spaces aside, begins as the lines
// that delimit the payload do: a body that holds one would end the
// payload early when the script is read back (Parse), so a body must
// not.
func IsMarkerLine(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, markerOpen) || strings.HasPrefix(t, markerClose)
}

// Wrapper is what a script runs.
type Wrapper struct {
	// Modules are imported first, in order.
	Modules []string
	// Body is the command: a cmdlet call or a script, verbatim.
	Body string
	// Remote, if set, runs the payload through Invoke-Command.
	Remote *Remote
	// BodyLine is the line (1-based) of the script where Body starts;
	// Parse sets it.
	BodyLine int
}

// Remote is where and how Invoke-Command runs the payload.
type Remote struct {
	Computer string
	// User, if set, is the credential's user; its password is read from
	// the first line of standard input (base64 of UTF-8), never from the
	// script or the command line.
	User              string
	Authentication    string
	ConfigurationName string
}

// Payload returns the part of the script that runs where the command
// runs: the preferences, the module imports and the body.
func (w *Wrapper) Payload() string {
	var b strings.Builder
	b.WriteString(payloadPreferences)
	for _, m := range w.Modules {
		b.WriteString("Import-Module -Name " + Quote(m) + "\n")
	}
	b.WriteString(w.Body)
	if !strings.HasSuffix(w.Body, "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}

// payloadPreferences make every error terminating and answer every
// confirmation with no prompt: -Confirm:$false for every cmdlet that
// has -Confirm (a Get- cmdlet has none, so it cannot be passed
// literally), and no prompt at any impact.
const payloadPreferences = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'
$PSDefaultParameterValues = @{ '*:Confirm' = $false }
`

// Build returns the whole script.
func Build(w *Wrapper) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	b.WriteString(prologue)
	b.WriteString("try {\n")
	b.WriteString(invocation(w.Remote))
	b.WriteString(payloadStart + "\n")
	b.WriteString(w.Payload())
	b.WriteString(payloadEnd + "\n")
	b.WriteString(epilogue)
	return b.String()
}

// invocation opens the script block that runs the payload.
func invocation(r *Remote) string {
	if r == nil {
		return "    $result = @(& {\n"
	}
	var b strings.Builder
	if r.User != "" {
		b.WriteString(credentialLines(r.User))
	}
	b.WriteString("    $result = @(Invoke-Command -ComputerName " + Quote(r.Computer))
	if r.User != "" {
		b.WriteString(" -Credential $credential")
	}
	if r.Authentication != "" {
		b.WriteString(" -Authentication " + Quote(r.Authentication))
	}
	if r.ConfigurationName != "" {
		b.WriteString(" -ConfigurationName " + Quote(r.ConfigurationName))
	}
	b.WriteString(" -ErrorAction Stop -ScriptBlock {\n")
	return b.String()
}

// credentialLines read the password from standard input, so it is on
// no command line and in no script.
func credentialLines(user string) string {
	return "    $secret = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String([Console]::In.ReadLine()))\n" +
		"    $credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList " + Quote(user) +
		", (ConvertTo-SecureString -String $secret -AsPlainText -Force)\n" +
		"    $secret = $null\n"
}

// Parse reads a script Build wrote back into its Wrapper. The modules
// stay in the payload (Payload returns them); Wrapper.Body is the
// payload after the preferences.
func Parse(script string) (*Wrapper, error) {
	if strings.HasPrefix(script, header+"\r\n") {
		// A script saved with CRLF line ends (the wrapper writes LF, so
		// a CR inside a value survives).
		script = strings.ReplaceAll(script, "\r\n", "\n")
	}
	rest, ok := strings.CutPrefix(script, header+"\n"+prologue+"try {\n")
	if !ok {
		return nil, fmt.Errorf("not a failover wrapper (version 1): the script does not begin with its header and prologue")
	}
	open, rest, ok := strings.Cut(rest, payloadStart+"\n")
	if !ok {
		return nil, fmt.Errorf("malformed wrapper: no %q line", payloadStart)
	}
	remote, err := parseInvocation(open)
	if err != nil {
		return nil, err
	}
	payload, tail, ok := strings.Cut(rest, payloadEnd+"\n")
	if !ok || tail != epilogue {
		return nil, fmt.Errorf("malformed wrapper: the payload is not followed by %q and the epilogue", payloadEnd)
	}
	body, ok := strings.CutPrefix(payload, payloadPreferences)
	if !ok {
		return nil, fmt.Errorf("malformed wrapper: the payload does not begin with the preferences")
	}
	line := strings.Count(script[:len(script)-len(rest)], "\n") + strings.Count(payloadPreferences, "\n") + 1
	return &Wrapper{Body: body, Remote: remote, BodyLine: line}, nil
}

// parseInvocation reads what invocation wrote.
func parseInvocation(s string) (*Remote, error) {
	if s == "    $result = @(& {\n" {
		return nil, nil
	}
	r := &Remote{}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) == 4 {
		user, err := parseCredential(lines[:3])
		if err != nil {
			return nil, err
		}
		r.User, lines = user, lines[3:]
	}
	if len(lines) != 1 {
		return nil, fmt.Errorf("malformed wrapper: %d lines before the payload, want 1 or 4", len(lines))
	}
	line, ok := strings.CutPrefix(lines[0], "    $result = @(Invoke-Command -ComputerName ")
	if ok {
		line, ok = strings.CutSuffix(line, " -ErrorAction Stop -ScriptBlock {")
	}
	if !ok {
		return nil, fmt.Errorf("malformed wrapper: %q is not the Invoke-Command line", lines[0])
	}
	computer, line, err := unquotePrefix(line)
	if err != nil {
		return nil, fmt.Errorf("malformed wrapper: -ComputerName: %w", err)
	}
	r.Computer = computer
	if l, ok := strings.CutPrefix(line, " -Credential $credential"); ok {
		if r.User == "" {
			return nil, fmt.Errorf("malformed wrapper: -Credential without the lines that read it")
		}
		line = l
	} else if r.User != "" {
		return nil, fmt.Errorf("malformed wrapper: a credential is read but not passed")
	}
	for _, f := range []struct {
		flag string
		to   *string
	}{{" -Authentication ", &r.Authentication}, {" -ConfigurationName ", &r.ConfigurationName}} {
		if l, ok := strings.CutPrefix(line, f.flag); ok {
			if *f.to, line, err = unquotePrefix(l); err != nil {
				return nil, fmt.Errorf("malformed wrapper:%s%w", f.flag, err)
			}
		}
	}
	if line != "" {
		return nil, fmt.Errorf("malformed wrapper: unexpected %q on the Invoke-Command line", line)
	}
	return r, nil
}

func parseCredential(lines []string) (string, error) {
	const pre = "    $credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList "
	want := strings.Split(credentialLines("\x00"), "\n")
	l, ok := strings.CutPrefix(lines[1], pre)
	if !ok || lines[0] != want[0] || lines[2] != want[2] {
		return "", fmt.Errorf("malformed wrapper: the credential lines are not the wrapper's")
	}
	user, rest, err := unquotePrefix(l)
	if err != nil || rest != ", (ConvertTo-SecureString -String $secret -AsPlainText -Force)" {
		return "", fmt.Errorf("malformed wrapper: the credential's user: %v", err)
	}
	return user, nil
}

// unquotePrefix reads a single-quoted string at the start of s and
// returns its value and the rest.
func unquotePrefix(s string) (string, string, error) {
	if s == "" || !IsSingleQuote([]rune(s)[0]) {
		return "", s, fmt.Errorf("want a single-quoted string at %q", s)
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if IsSingleQuote(rs[i]) {
			if i+1 < len(rs) && IsSingleQuote(rs[i+1]) {
				b.WriteRune(rs[i+1])
				i++
				continue
			}
			return b.String(), string(rs[i+1:]), nil
		}
		b.WriteRune(rs[i])
	}
	return "", s, fmt.Errorf("unterminated string %q", s)
}
