package lyncshell

import (
	"fmt"
	"io"
	"strings"

	"github.com/failover-dev/failover/internal/pswrap"
)

// commandLine is what powershell.exe's arguments asked for.
type commandLine struct {
	script         string
	nonInteractive bool
}

// switches are powershell.exe's parameters (about_PowerShell_exe); a
// unique prefix is enough, as for powershell.exe. takesValue marks those
// followed by a value; simulated says whether the shell supports it.
var clSwitches = []struct {
	name       string
	takesValue bool
	simulated  bool
}{
	{"NoLogo", false, true}, {"NoProfile", false, true}, {"NonInteractive", false, true},
	{"Sta", false, true}, {"Mta", false, true},
	{"ExecutionPolicy", true, true}, {"OutputFormat", true, true}, {"InputFormat", true, true},
	{"EncodedCommand", true, true}, {"Command", true, true},
	{"NoExit", false, false}, {"File", true, false}, {"Version", true, false}, {"WindowStyle", true, false},
	{"PSConsoleFile", true, false}, {"ConfigurationName", true, false}, {"Help", false, false},
}

// parseCommandLine reads powershell.exe's arguments.
func parseCommandLine(args []string, stdin io.Reader) (*commandLine, error) {
	cl := &commandLine{}
	have := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "/") {
			// Text without a switch is a command, as for powershell.exe.
			cl.script, have = strings.Join(args[i:], " "), true
			break
		}
		name, err := clSwitch(a[1:])
		if err != nil {
			return nil, err
		}
		sw := clSwitchSpec(name)
		if !sw.simulated {
			return nil, fmt.Errorf("the failover lab's Management Shell does not support -%s", name)
		}
		if !sw.takesValue {
			cl.nonInteractive = cl.nonInteractive || name == "NonInteractive"
			continue
		}
		if i+1 >= len(args) {
			return nil, fmt.Errorf("Missing argument for parameter -%s.", name)
		}
		i++
		switch name {
		case "OutputFormat", "InputFormat":
			if !strings.EqualFold(args[i], "Text") {
				return nil, fmt.Errorf("the failover lab's Management Shell supports only -%s Text, not %s", name, args[i])
			}
		case "EncodedCommand":
			s, err := pswrap.Decode(args[i])
			if err != nil {
				return nil, fmt.Errorf("Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded.")
			}
			cl.script, have = s, true
		case "Command":
			if args[i] == "-" {
				b, err := io.ReadAll(stdin)
				if err != nil {
					return nil, fmt.Errorf("read the command from standard input: %w", err)
				}
				cl.script, have = string(b), true
			} else {
				cl.script, have = strings.Join(args[i:], " "), true
				i = len(args)
			}
		}
	}
	if !have {
		return nil, fmt.Errorf("the failover lab's Management Shell is not interactive: give -EncodedCommand or -Command")
	}
	return cl, nil
}

// clSwitch resolves a switch name or unique prefix ("enc", "noni"),
// any case; "ec" is -EncodedCommand as in powershell.exe.
func clSwitch(s string) (string, error) {
	if strings.EqualFold(s, "ec") || strings.EqualFold(s, "e") {
		return "EncodedCommand", nil
	}
	var found []string
	for _, sw := range clSwitches {
		if strings.EqualFold(sw.name, s) {
			return sw.name, nil
		}
		if s != "" && strings.HasPrefix(strings.ToLower(sw.name), strings.ToLower(s)) {
			found = append(found, sw.name)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("-%s : The term '-%s' is not recognized as the name of a cmdlet, function, script file, or operable program.", s, s)
	}
	return "", fmt.Errorf("Parameter -%s is ambiguous: %s", s, strings.Join(found, ", "))
}

func clSwitchSpec(name string) struct {
	name       string
	takesValue bool
	simulated  bool
} {
	for _, sw := range clSwitches {
		if sw.name == name {
			return sw
		}
	}
	return clSwitches[0]
}
