package ps

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/failover-dev/failover/internal/pswrap"
)

// command is what ps.invoke and ps.check run: a cmdlet with its
// parameters and switches, or a script.
type command struct {
	Cmdlet   string
	Params   map[string]any
	Switches []string
	Script   string
}

// maxScript bounds a script: the wrapped, UTF-16, base64 command line
// must stay under Windows' 32,767 characters.
const maxScript = 8000

var (
	cmdletName = regexp.MustCompile(`^([A-Za-z0-9_.]+\\)?[A-Za-z]+-[A-Za-z0-9_]+$`)
	paramName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// validate checks the command's fields beyond their types.
func (c command) validate() error {
	switch {
	case c.Cmdlet == "" && c.Script == "":
		return errors.New("give cmdlet (with params) or script")
	case c.Cmdlet != "" && c.Script != "":
		return errors.New("cmdlet and script exclude each other: put the cmdlet in the script, or its parameters in params")
	case c.Script != "":
		return validateScript(c.Script, len(c.Params)+len(c.Switches) > 0)
	case !cmdletName.MatchString(c.Cmdlet):
		return fmt.Errorf("cmdlet %q is not a cmdlet name (Verb-Noun, e.g. Set-CsPersistentChatState)", c.Cmdlet)
	}
	seen := map[string]string{}
	for _, name := range c.paramNames() {
		if err := checkName(name, seen, "params"); err != nil {
			return err
		}
		if _, err := pswrap.Literal(c.Params[name]); err != nil {
			return fmt.Errorf("params: %s: %w", name, err)
		}
	}
	for _, s := range c.Switches {
		if err := checkName(s, seen, "switches"); err != nil {
			return err
		}
	}
	return nil
}

func validateScript(script string, hasParams bool) error {
	switch {
	case hasParams:
		return errors.New("params and switches go with cmdlet; a script writes its own")
	case strings.TrimSpace(script) == "":
		return errors.New("script is blank")
	case strings.ContainsRune(script, 0):
		return errors.New("script holds a NUL character")
	case len(script) > maxScript:
		return fmt.Errorf("script has %d bytes, more than %d fit on the -EncodedCommand line: split it into steps", len(script), maxScript)
	}
	for _, line := range strings.Split(script, "\n") {
		if pswrap.IsMarkerLine(line) {
			return fmt.Errorf("script holds the wrapper's marker line %q", strings.TrimSpace(line))
		}
	}
	return nil
}

// checkName checks one parameter or switch name, once.
func checkName(name string, seen map[string]string, field string) error {
	bare := pswrap.TrimDash(name)
	if !paramName.MatchString(bare) {
		return fmt.Errorf("%s: %q is not a parameter name", field, name)
	}
	key := strings.ToLower(bare)
	if prev, dup := seen[key]; dup {
		return fmt.Errorf("%s: %q is given twice (as %q too; PowerShell ignores case)", field, name, prev)
	}
	seen[key] = name
	return nil
}

// paramNames returns the parameter names in a fixed order.
func (c command) paramNames() []string {
	names := make([]string, 0, len(c.Params))
	for k := range c.Params {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		return strings.ToLower(pswrap.TrimDash(names[i])) < strings.ToLower(pswrap.TrimDash(names[j]))
	})
	return names
}

// body renders the command as PowerShell: a script as it is; a cmdlet
// with its parameters by name (sorted), every value a literal, booleans
// as -Name:$true (which also sets a switch), switches last. Dashes are
// ASCII whatever the plan wrote.
func (c command) body() (string, error) {
	if c.Script != "" {
		return c.Script, nil
	}
	var b strings.Builder
	b.WriteString(c.Cmdlet)
	for _, name := range c.paramNames() {
		lit, err := pswrap.Literal(c.Params[name])
		if err != nil {
			return "", fmt.Errorf("params: %s: %w", name, err)
		}
		sep := " "
		if _, isBool := c.Params[name].(bool); isBool {
			sep = ":"
		}
		b.WriteString(" -" + pswrap.TrimDash(name) + sep + lit)
	}
	for _, s := range c.Switches {
		b.WriteString(" -" + pswrap.TrimDash(s))
	}
	return b.String(), nil
}

// name is how errors name the command.
func (c command) name() string {
	if c.Cmdlet != "" {
		return c.Cmdlet
	}
	return "the script"
}
