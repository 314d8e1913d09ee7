package plans

import "github.com/failover-dev/failover/actions"

// Graph is the dependency graph of a plan's steps.
type Graph struct {
	// IDs are the step ids in file order.
	IDs []string
	// Deps maps a step id to the ids it depends on (sorted).
	Deps map[string][]string
	// Dependents maps a step id to the ids that depend on it (sorted).
	Dependents map[string][]string
	// Levels are topological levels: level 0 depends on nothing, level n
	// only on levels < n. Within a level, ids are in file order.
	Levels [][]string
}

// Severity of a diagnostic.
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Diagnostic is one finding about a plan, at a position.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Pos      Pos      `json:"-"`
	Message  string   `json:"message"`
}

// Diagnostics is a list of findings, in the order found.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Options control Load.
type Options struct {
	// Registry knows the action, check and target types. Required.
	Registry *actions.Registry
	// VarsFiles are YAML files of var values, applied in order over the
	// plan's vars.
	VarsFiles []string
	// Vars are "key=value" overrides, applied after VarsFiles, in order.
	Vars []string
	// ReadFile reads a plan, base plan or vars file; nil means ReadFile
	// (regular files only). What it returns is held to Limits.FileSize.
	ReadFile func(path string) ([]byte, error)
	// Limits bound the cost of loading; zero fields take the defaults.
	Limits Limits
}
