package lyncshell

import (
	"fmt"
	"sort"
	"strings"
)

// pkind is how the binder converts a parameter's value.
type pkind int

const (
	kText   pkind = iota // System.String (numbers become text)
	kSwitch              // SwitchParameter
	kEnum                // an enum: one of enum, any case, stored as its name
	kList                // String[] / PSListModifier: text or texts, $null allowed
	kAny                 // System.Object
	kInt                 // Int32
)

// param describes one parameter of a simulated cmdlet.
type param struct {
	name      string
	kind      pkind
	enum      []string
	mandatory bool
	// position is the positional slot (0-based), -1 for named only.
	position int
	typeName string
}

// cmdlet is a simulated cmdlet.
type cmdlet struct {
	name   string
	class  string
	params []param
	// lync cmdlets need Import-Module Lync or SkypeForBusiness first.
	lync bool
	// confirm: SupportsShouldProcess (it takes -Confirm and -WhatIf);
	// prompts: ConfirmImpact High, so it asks unless told not to.
	confirm, prompts bool
	// pipeline names the parameter pipeline input binds to.
	pipeline string
	run      func(sh *shell, b bound, input []any) ([]any, error)
}

// bound are a call's parameters by their declared names.
type bound map[string]any

func (b bound) text(name string) string {
	s, _ := b[name].(string)
	return s
}

func (b bound) has(name string) bool {
	_, ok := b[name]
	return ok
}

// common are the common parameters every cmdlet takes.
var common = []param{
	{name: "Verbose", kind: kSwitch, position: -1}, {name: "Debug", kind: kSwitch, position: -1},
	{name: "ErrorAction", kind: kEnum, enum: []string{"Stop", "Continue", "SilentlyContinue", "Ignore", "Inquire"}, position: -1},
	{name: "WarningAction", kind: kEnum, enum: []string{"Stop", "Continue", "SilentlyContinue", "Ignore", "Inquire"}, position: -1},
}

// allParams lists what c takes, its own parameters first.
func (c *cmdlet) allParams() []param {
	ps := append(append([]param(nil), c.params...), common...)
	if c.confirm {
		ps = append(ps, param{name: "Confirm", kind: kSwitch, position: -1}, param{name: "WhatIf", kind: kSwitch, position: -1})
	}
	return ps
}

// resolve finds a parameter by name or unique prefix, as PowerShell does.
func (c *cmdlet) resolve(name string) (*param, *psError) {
	ps := c.allParams()
	var matches []*param
	for i := range ps {
		if strings.EqualFold(ps[i].name, name) {
			return &ps[i], nil
		}
		if len(name) > 0 && strings.HasPrefix(strings.ToLower(ps[i].name), strings.ToLower(name)) {
			matches = append(matches, &ps[i])
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, bindError(c.name, "NamedParameterNotFound", "InvalidArgument",
			"A parameter cannot be found that matches parameter name '%s'.", name)
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = "-" + m.name
	}
	return nil, bindError(c.name, "AmbiguousParameter", "InvalidArgument",
		"Parameter cannot be processed because the parameter name '%s' is ambiguous. Possible matches include: %s.", name, strings.Join(names, " "))
}

// bind pairs a call's arguments with c's parameters and converts them.
func (sh *shell) bind(c *cmdlet, call *cmdCall) (bound, error) {
	b := bound{}
	var positional []any
	for i := 0; i < len(call.args); i++ {
		a := call.args[i]
		if !a.isParam {
			v, err := sh.eval(a.value)
			if err != nil {
				return nil, err
			}
			positional = append(positional, v)
			continue
		}
		p, perr := c.resolve(a.param)
		if perr != nil {
			return nil, perr
		}
		if b.has(p.name) {
			return nil, bindError(c.name, "ParameterAlreadyBound", "InvalidArgument",
				"Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", p.name)
		}
		var raw any = true
		switch {
		case a.colon:
			v, err := sh.eval(a.value)
			if err != nil {
				return nil, err
			}
			raw = v
		case p.kind != kSwitch:
			if i+1 >= len(call.args) || call.args[i+1].isParam {
				return nil, bindError(c.name, "MissingArgument", "InvalidArgument",
					"Missing an argument for parameter '%s'. Specify a parameter of type '%s' and try again.", p.name, typeName(p))
			}
			i++
			v, err := sh.eval(call.args[i].value)
			if err != nil {
				return nil, err
			}
			raw = v
		}
		v, err := convertArg(c, p, raw)
		if err != nil {
			return nil, err
		}
		b[p.name] = v
	}
	if err := bindPositional(c, b, positional); err != nil {
		return nil, err
	}
	return b, nil
}

func bindPositional(c *cmdlet, b bound, positional []any) error {
	slots := []param{}
	for _, p := range c.params {
		if p.position >= 0 && !b.has(p.name) {
			slots = append(slots, p)
		}
	}
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].position < slots[j].position })
	for i, v := range positional {
		if i >= len(slots) {
			return bindError(c.name, "PositionalParameterNotFound", "InvalidArgument",
				"A positional parameter cannot be found that accepts argument '%s'.", toText(v))
		}
		cv, err := convertArg(c, &slots[i], v)
		if err != nil {
			return err
		}
		b[slots[i].name] = cv
	}
	return nil
}

// missingMandatory checks mandatory parameters after pipeline binding.
func missingMandatory(c *cmdlet, b bound) error {
	var missing []string
	for _, p := range c.params {
		if p.mandatory && !b.has(p.name) {
			missing = append(missing, p.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return bindError(c.name, "MissingMandatoryParameter", "InvalidArgument",
		"Cannot process command because of one or more missing mandatory parameters: %s.", strings.Join(missing, " "))
}

func typeName(p *param) string {
	if p.typeName != "" {
		return p.typeName
	}
	switch p.kind {
	case kSwitch:
		return "System.Management.Automation.SwitchParameter"
	case kList:
		return "System.String[]"
	case kInt:
		return "System.Int32"
	case kAny:
		return "System.Object"
	}
	return "System.String"
}

// convertArg converts a value to what p takes.
func convertArg(c *cmdlet, p *param, v any) (any, error) {
	cannot := func(why string) error {
		return bindError(c.name, "CannotConvertArgumentNoMessage,ParameterArgumentTransformationError", "InvalidArgument",
			"Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\". Error: \"%s\"", p.name, toText(v), typeName(p), why)
	}
	switch p.kind {
	case kAny:
		return v, nil
	case kSwitch:
		if bv, ok := v.(bool); ok {
			return bv, nil
		}
		return nil, cannot("A switch takes $true or $false.")
	case kInt:
		if n, ok := v.(int64); ok {
			return n, nil
		}
		return nil, cannot("Input string was not in a correct format.")
	case kList:
		switch x := v.(type) {
		case nil:
			return nil, nil
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				if _, ok := e.(*object); ok {
					return nil, cannot("The lab does not convert objects to text.")
				}
				out[i] = toText(e)
			}
			return out, nil
		case *object:
			return nil, unsupported(c.name, "a hashtable for -%s (PSListModifier @{Add=…}/@{Remove=…} deltas): give the whole list, or $null to clear it", p.name)
		}
		return []any{toText(v)}, nil
	}
	switch x := v.(type) {
	case string:
		return enumValue(c, p, x, cannot)
	case int64, float64, bool:
		return enumValue(c, p, toText(x), cannot)
	case nil:
		if p.kind == kEnum {
			return nil, cannot("Null cannot be converted to an enum.")
		}
		return nil, bindError(c.name, "ParameterArgumentValidationErrorNullNotAllowed", "InvalidData",
			"Cannot validate argument on parameter '%s'. The argument is null. Provide a valid value for the argument, and then try running the command again.", p.name)
	}
	return nil, cannot(fmt.Sprintf("Cannot convert the \"%s\" value of type \"%T\" to type \"%s\".", toText(v), v, typeName(p)))
}

func enumValue(c *cmdlet, p *param, s string, cannot func(string) error) (any, error) {
	if p.kind != kEnum {
		return s, nil
	}
	for _, e := range p.enum {
		if strings.EqualFold(e, s) {
			return e, nil
		}
	}
	return nil, cannot(fmt.Sprintf("Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s", s, strings.Join(p.enum, ", ")))
}
