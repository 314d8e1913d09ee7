package report

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/engine"
)

// The outputs in which an action journals the exact text it sent: a
// string, or a list of strings.
const (
	commandOutput  = "command"
	commandsOutput = "commands"
)

// commands are the exact commands a step sent: what the journal says each
// attempt sent (the engine journals it with the attempt's start), else
// what the action journaled in its outputs, else the plan's preview,
// else a note saying why none is shown. None holds a secret: the journal
// is written masked and a preview shows secrets as (secret).
func commands(rs *engine.RunState, in Input, s *Step) Commands {
	if texts := attemptCommands(s.Attempts); len(texts) > 0 {
		return Commands{Source: SourceJournal, Texts: texts}
	}
	if texts := journaledCommands(s.Outputs); len(texts) > 0 {
		return Commands{Source: SourceJournal, Texts: texts}
	}
	if in.Plan == nil {
		return Commands{Note: "not available: " + planNote(in)}
	}
	if in.Plan.Step(s.ID) == nil {
		return Commands{Note: "not available: the plan has no step " + s.ID}
	}
	pv, ok := in.Previews[s.ID]
	switch {
	case !ok:
		return Commands{Note: "not available: no preview of the step was made"}
	case pv.Err != nil:
		return Commands{Note: "not available: the preview could not be rendered: " + pv.Err.Error()}
	case pv.Text == "":
		return Commands{Note: fmt.Sprintf("none: %s sends no command text", orUnknown(s.Action))}
	}
	return Commands{Source: SourcePreview, Texts: []string{pv.Text}, RunTime: runTimeValues(rs, pv.RunTime)}
}

// planNote says why the plan is not at hand.
func planNote(in Input) string {
	if in.PlanNote != "" {
		return in.PlanNote
	}
	return "the plan was not loaded"
}

// attemptCommands lists the distinct commands the step's attempts sent,
// in order (a retry usually sends the same one again).
func attemptCommands(attempts []engine.Attempt) []string {
	var texts []string
	for _, a := range attempts {
		if a.Command != "" && (len(texts) == 0 || texts[len(texts)-1] != a.Command) {
			texts = append(texts, a.Command)
		}
	}
	return texts
}

// journaledCommands reads the command outputs of a step.
func journaledCommands(out map[string]any) []string {
	var texts []string
	if s, ok := out[commandOutput].(string); ok && s != "" {
		texts = append(texts, s)
	}
	texts = append(texts, stringList(out[commandsOutput])...)
	if s, ok := out[commandsOutput].(string); ok && s != "" {
		texts = append(texts, s)
	}
	return texts
}

// runTimeValues gives each reference a preview shows as written the
// value the journal holds for it: a step's output, or the run's id.
// An environment variable is read when the run starts and is not
// journaled.
func runTimeValues(rs *engine.RunState, refs []string) []RefValue {
	out := make([]RefValue, 0, len(refs))
	for _, ref := range refs {
		rv := RefValue{Ref: ref, Value: "not journaled"}
		path := strings.Split(strings.TrimSuffix(strings.TrimPrefix(ref, "${"), "}"), ".")
		switch {
		case len(path) == 2 && path[0] == "run" && path[1] == "id":
			rv.Value, rv.Known = rs.Header.RunID, true
		case len(path) >= 4 && path[0] == "steps" && path[2] == "outputs":
			rv.Value, rv.Known = outputValue(rs, path[1], strings.Join(path[3:], "."))
		case len(path) == 2 && path[0] == "env":
			rv.Value = "read from the environment when the run started; not journaled"
		}
		out = append(out, rv)
	}
	return out
}

// outputValue is a step's journaled output as text.
func outputValue(rs *engine.RunState, step, key string) (string, bool) {
	st := rs.Steps[step]
	if st == nil || st.Outputs == nil {
		return "not journaled: step " + step + " has no outputs", false
	}
	v, ok := st.Outputs[key]
	if !ok {
		return fmt.Sprintf("not journaled: step %s has no output %s", step, key), false
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v), true
	}
	return string(b), true
}
