package ps

import (
	"strings"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/targets"
)

// preview renders what a run sends: the command line (with the script
// in place of its base64), what goes to standard input, and the whole
// script as PowerShell decodes it. In preview the target's values that
// are known only at run time are their references, secrets (secret).
func preview(env *actions.Env, c command) (string, error) {
	tp, err := actions.TargetParams[targets.PowerShell](env)
	if err != nil {
		return "", err
	}
	body, err := c.body()
	if err != nil {
		return "", err
	}
	r := newRunner(tp)
	var b strings.Builder
	b.WriteString(r.program)
	for _, a := range append(append([]string(nil), r.args...), switches...) {
		b.WriteString(" " + a)
	}
	b.WriteString(" <the script below, UTF-16LE, base64>\n")
	if r.remote != nil && r.remote.User != "" {
		b.WriteString("standard input: the password of " + r.remote.User + " (base64), read by the script\n")
	}
	b.WriteString(r.script(body))
	return strings.TrimSuffix(b.String(), "\n"), nil
}
