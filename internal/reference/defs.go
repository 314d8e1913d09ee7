package reference

import (
	"github.com/failover-dev/failover/actions"
)

// durationPattern is Go's time.ParseDuration syntax (without a sign).
const durationPattern = `^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`

// stepIDPattern is the syntax of step ids.
const stepIDPattern = `^[a-z][a-z0-9_-]{0,63}$`

func secretDef() obj {
	return obj{
		"type": "object", "additionalProperties": false,
		"description": "Where a secret's value comes from: {env: NAME} or {file: PATH}, exactly one.",
		"properties": obj{
			"env":  obj{"type": "string", "minLength": 1, "description": "Environment variable holding the value."},
			"file": obj{"type": "string", "minLength": 1, "description": "File holding the value, relative to the plan."},
		},
		"oneOf": []any{obj{"required": []string{"env"}}, obj{"required": []string{"file"}}},
	}
}

func retryDef() obj {
	return obj{
		"type": "object", "additionalProperties": false,
		"properties": obj{
			"attempts":  typed(obj{"type": "integer", "minimum": 1}, "Attempts in all, the first included (1: no retry)."),
			"delay":     withDoc(ref("duration"), "Wait before the second attempt."),
			"backoff":   typed(obj{"type": "number", "minimum": 1}, "Factor applied to the delay after each attempt."),
			"max_delay": withDoc(ref("duration"), "Upper bound of the delay."),
			"on": obj{
				"enum":        []string{"retryable", "any"},
				"description": "retryable: only errors the action marks retryable, and timeouts; any: every error.",
			},
		},
	}
}

// typed accepts a value of schema s or a ${…} template.
func typed(s obj, doc string) obj {
	out := obj{"anyOf": []any{s, ref("template")}}
	if doc != "" {
		out["description"] = doc
	}
	return out
}

// targetDef dispatches on the target's type to target.TYPE.
func targetDef(r *actions.Registry) obj {
	var names []string
	var branches []any
	for _, t := range r.TargetTypes() {
		names = append(names, t.Name)
		branches = append(branches, ifThen("type", t.Name, ref("target."+t.Name)))
	}
	return obj{
		"type": "object", "required": []string{"type"},
		"properties": obj{"type": obj{"enum": names, "description": "Target type."}},
		"allOf":      branches,
	}
}

// ifThen applies then when the object's key equals value.
func ifThen(key, value string, then obj) obj {
	return obj{
		"if":   obj{"properties": obj{key: obj{"const": value}}, "required": []string{key}},
		"then": then,
	}
}

func stepDef(r *actions.Registry) obj {
	checks := obj{"type": "array", "items": ref("check")}
	props := obj{
		"id":                  obj{"type": "string", "pattern": stepIDPattern, "description": "Step id: lower-case letters, digits, _ and -."},
		"action":              obj{"enum": r.Names(actions.KindAction), "description": "Action type."},
		"target":              obj{"type": "string", "description": "Name of a target of the plan."},
		"with":                obj{"type": "object", "description": "The action's parameters."},
		"needs":               obj{"type": "array", "items": obj{"type": "string", "pattern": stepIDPattern}, "description": "Steps that must be done first."},
		"when":                withDoc(checks, "Checks; if one fails, the step is skipped and dependents go on."),
		"skip_if":             withDoc(checks, "Checks; if all pass, the step is already done and does not run."),
		"require":             obj{"type": "array", "items": ref("require_check"), "description": "Checks that must pass before the step runs."},
		"verify":              withDoc(checks, "Checks after a successful run; a failure fails the attempt."),
		"retry":               ref("retry"),
		"timeout":             withDoc(ref("duration"), "Bound of one attempt."),
		"continue_on_failure": typed(obj{"type": "boolean"}, "Let independent branches go on when this step fails."),
		"description":         obj{"type": "string"},
		"idempotent":          typed(obj{"type": "boolean"}, "Running the step twice does no harm: an in-doubt step is run again on resume."),
		"rto":                 withDoc(ref("duration"), "Time budget of the step, from its first attempt to its outcome: the report marks it when it took longer."),
	}
	return obj{
		"type": "object", "additionalProperties": false,
		"required":   []string{"id", "action"},
		"properties": props,
		"allOf":      typeBranches(r, actions.KindAction, "action"),
	}
}

func checkDef(r *actions.Registry, require bool) obj {
	props := obj{
		"check":  obj{"enum": r.Names(actions.KindCheck), "description": "Check type."},
		"target": obj{"type": "string", "description": "Name of a target of the plan."},
		"with":   obj{"type": "object", "description": "The check's parameters."},
	}
	if require {
		props["wait"] = withDoc(ref("duration"), "Poll the check until it passes or this time runs out.")
		props["interval"] = withDoc(ref("duration"), "How often to poll while waiting.")
	}
	return obj{
		"type": "object", "additionalProperties": false,
		"required":   []string{"check"},
		"properties": props,
		"allOf":      typeBranches(r, actions.KindCheck, "check"),
	}
}

// typeBranches holds, per type of the kind, the rules for `with` and
// `target` when key names that type.
func typeBranches(r *actions.Registry, kind actions.Kind, key string) []any {
	var out []any
	for _, t := range r.Types(kind) {
		then := obj{"properties": obj{"with": ref("with." + t.Name)}}
		switch {
		case len(t.Targets) == 0:
			then["properties"].(obj)["target"] = false
		default:
			if !t.TargetOptional {
				then["required"] = []string{"target"}
			}
		}
		if hasRequired(r.ParamSpecs(t.Name)) {
			req, _ := then["required"].([]string)
			then["required"] = append(req, "with")
		}
		out = append(out, ifThen(key, t.Name, then))
	}
	return out
}

func hasRequired(specs []actions.ParamSpec) bool {
	for _, s := range specs {
		if s.Required {
			return true
		}
	}
	return false
}
