package lyncshell

import (
	"sort"
	"strings"
)

// cmdlets are the commands the shell simulates, by lower-case name.
var cmdlets = map[string]*cmdlet{}

func register(cs ...*cmdlet) {
	for _, c := range cs {
		cmdlets[strings.ToLower(c.name)] = c
	}
}

func init() {
	register(
		&cmdlet{name: "Import-Module", class: "Microsoft.PowerShell.Commands.ImportModuleCommand",
			params: []param{{name: "Name", kind: kText, mandatory: true, position: 0}}, run: importModule},
		&cmdlet{name: "Write-Output", class: "Microsoft.PowerShell.Commands.WriteOutputCommand", pipeline: "InputObject",
			params: []param{{name: "InputObject", kind: kAny, mandatory: true, position: 0}}, run: writeOutput},
		&cmdlet{name: "ConvertTo-Json", class: "Microsoft.PowerShell.Commands.ConvertToJsonCommand", pipeline: "InputObject",
			params: []param{{name: "InputObject", kind: kAny, mandatory: true, position: 0},
				{name: "Depth", kind: kInt, position: -1}, {name: "Compress", kind: kSwitch, position: -1}}, run: convertToJSON},
		&cmdlet{name: "Select-Object", class: "Microsoft.PowerShell.Commands.SelectObjectCommand", pipeline: "InputObject",
			params: []param{{name: "Property", kind: kList, position: 0}, {name: "ExpandProperty", kind: kText, position: -1},
				{name: "First", kind: kInt, position: -1}, {name: "InputObject", kind: kAny, position: -1}}, run: selectObject},
	)
	register(lyncCmdlets()...)
}

// lookupCmdlet finds a simulated cmdlet by name, in any case.
func lookupCmdlet(name string) *cmdlet {
	return cmdlets[strings.ToLower(name)]
}

// simulatedNames lists the simulated cmdlets for error messages.
func simulatedNames() []string {
	names := make([]string, 0, len(cmdlets))
	for _, c := range cmdlets {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return names
}

// modules are the modules that bring the Lync cmdlets.
var modules = []string{"Lync", "SkypeForBusiness"}

func importModule(sh *shell, b bound, _ []any) ([]any, error) {
	name := b.text("Name")
	for _, m := range modules {
		if strings.EqualFold(m, name) {
			sh.moduleLoaded = true
			return nil, nil
		}
	}
	return nil, cmdletError("Import-Module", "Modules_ModuleNotFound", "ResourceUnavailable", name,
		"System.IO.FileNotFoundException",
		"The specified module '%s' was not loaded because no valid module file was found in any module directory.", name)
}

func writeOutput(_ *shell, b bound, input []any) ([]any, error) {
	if input != nil {
		return input, nil
	}
	return enumerate(b["InputObject"]), nil
}

func convertToJSON(_ *shell, b bound, input []any) ([]any, error) {
	v := b["InputObject"]
	if input != nil {
		v = collapse(input)
	}
	if d, ok := b["Depth"].(int64); ok && d < 1 {
		return nil, bindError("ConvertTo-Json", "ParameterArgumentValidationError", "InvalidData",
			"Cannot validate argument on parameter 'Depth'. The %d argument is less than the minimum allowed range of 1.", d)
	}
	compress, _ := b["Compress"].(bool)
	s, err := toJSON(v, compress)
	if err != nil {
		return nil, unsupported("ConvertTo-Json", "converting this value: %v", err)
	}
	return []any{s}, nil
}

func selectObject(_ *shell, b bound, input []any) ([]any, error) {
	if input == nil {
		input = enumerate(b["InputObject"])
	}
	if n, ok := b["First"].(int64); ok {
		if n < 0 {
			return nil, bindError("Select-Object", "ParameterArgumentValidationError", "InvalidData",
				"Cannot validate argument on parameter 'First'. The %d argument is less than the minimum allowed range of 0.", n)
		}
		input = input[:min(int(n), len(input))]
	}
	if exp := b.text("ExpandProperty"); exp != "" {
		var out []any
		for _, v := range input {
			m := memberOf(v, exp)
			if m == nil {
				return nil, cmdletError("Select-Object", "ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand",
					"InvalidArgument", toText(v), "System.Management.Automation.PSArgumentException", "Property \"%s\" cannot be found.", exp)
			}
			out = append(out, enumerate(m)...)
		}
		return out, nil
	}
	props, _ := b["Property"].([]any)
	if len(props) == 0 {
		return input, nil
	}
	for _, p := range props {
		if strings.ContainsAny(toText(p), "*?[") {
			return nil, unsupported("Select-Object", "a wildcard in -Property (%s): name the properties", toText(p))
		}
	}
	var out []any
	for _, v := range input {
		o := newObject("Selected")
		for _, p := range props {
			o.set(toText(p), memberOf(v, toText(p)))
		}
		out = append(out, o)
	}
	return out, nil
}
