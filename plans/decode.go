package plans

import (
	"path/filepath"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// topKeys are the fields of a plan, format version 1.
var topKeys = []string{"version", "name", "description", "extends", "vars", "secrets",
	"targets", "defaults", "deadline", "rto", "preflight", "steps"}

var nameRe = regexp.MustCompile(`^[a-z0-9-]+$`)

// maxNameLen bounds a plan's name, which names a folder of the state
// directory: <state>/<name>/<run id>.journal, its repair copies
// (…journal.torn-<time>) and <state>/<name>/ the lock. Every file system
// allows 255 characters in a name, but Windows allows 260 in a whole
// path (unless long paths are enabled): 100 leaves about 100 for the
// state directory beside the run's own file names.
const maxNameLen = 100

// decodePlan checks the merged tree and builds the Plan. Everything is
// decoded even after errors, so that all diagnostics are reported.
func (l *loader) decodePlan(path string, root *node) *Plan {
	p := &Plan{File: path, Version: 1, Secrets: l.secrets, Targets: map[string]*Target{}}
	l.top = path
	l.checkKeys(root, "the plan", topKeys...)
	if root.get("version").isNull() && !l.mayLack(root, "version") {
		l.errorf(root.pos, "the plan is missing required field \"version\" (write version: 1)")
	}
	p.Name = l.planName(root)
	l.name = p.Name
	// Names first (secrets, step ids), then vars, which may refer to
	// them, then everything that may use vars.
	l.indexSecrets(root.get("secrets"))
	l.indexSteps(root.get("steps"))
	l.collectVars(root.get("vars"))
	p.Vars = l.plainVars()
	if n := root.get("description"); !n.isNull() {
		p.Description, _ = l.stringField(n, "description")
	}
	l.decodeSecrets(root.get("secrets"))
	l.decodeTargets(root.get("targets"), p.Targets)
	p.Defaults = l.decodeDefaults(root.get("defaults"))
	if n := root.get("deadline"); !n.isNull() {
		p.Deadline, _ = l.durationField(n, "deadline")
	}
	p.RTO = l.rtoField(root.get("rto"), "rto")
	for _, n := range l.listOf(root.get("preflight"), "preflight") {
		if c := l.decodeCheck(n, checkList{name: "preflight"}, p.Targets); c != nil {
			p.Preflight = append(p.Preflight, c)
		}
	}
	p.Steps = l.decodeSteps(root.get("steps"), p)
	p.index.Store(newStepIndex(p.Steps))
	l.warnUnusedFlags()
	p.Graph = l.buildGraph(p.Steps)
	hashPlan(p)
	return p
}

// planName checks the plan's name, which names its runs and journal and
// so must be written literally.
func (l *loader) planName(root *node) string {
	n := root.get("name")
	if n.isNull() && l.mayLack(root, "name") {
		return ""
	}
	if n.isNull() {
		l.errorf(root.pos, "the plan is missing required field \"name\"")
		return ""
	}
	name, ok := l.literal(n, "name")
	switch {
	case !ok:
	case !nameRe.MatchString(name):
		l.errorf(n.pos, "bad plan name %q: use lower-case letters, digits and -", name)
	case len(name) > maxNameLen:
		l.errorf(n.pos, "plan name is %d characters long, more than %d: it names the folder of the plan's journals and lock "+
			"(<state dir>/<name>/<run id>.journal), and Windows allows 260 characters in a whole path", len(name), maxNameLen)
	}
	return name
}

// plainVars returns the final var values as plain Go values; a var that
// holds a run-time reference keeps it as written.
func (l *loader) plainVars() map[string]any {
	out := map[string]any{}
	for _, name := range l.varNames() {
		v := l.vars.resolve(l, name, Pos{})
		if v != nil {
			out[name] = v.Display()
		}
	}
	return out
}

// indexSecrets declares the secrets by name, so that vars and anything
// else can refer to them.
func (l *loader) indexSecrets(n *node) {
	if n.isNull() {
		return
	}
	if n.kind != yaml.MappingNode {
		l.errorf(n.pos, "secrets must be a mapping of names to {env: NAME} or {file: PATH}, got %s", n.describe())
		return
	}
	n.pairs(func(k, _ *node) {
		if !identRe.MatchString(k.value) {
			l.errorf(k.pos, "bad secret name %q: use letters, digits, _ and -, starting with a letter or _", k.value)
		}
		l.secrets[k.value] = &Secret{Name: k.value, Pos: k.pos}
	})
}

// decodeSecrets reads where each secret comes from: {env: NAME} or
// {file: path}, exactly one of them.
func (l *loader) decodeSecrets(n *node) {
	if n == nil || n.kind != yaml.MappingNode {
		return
	}
	n.pairs(func(k, v *node) {
		what := "secret " + quote(k.value)
		s := l.secrets[k.value]
		if !l.checkKeys(v, what, "env", "file") {
			return
		}
		env, file := v.get("env"), v.get("file")
		switch {
		case env == nil && file == nil && (contains(l.misspelt[v], "env") || contains(l.misspelt[v], "file")):
			// the misspelt key was reported
		case env == nil && file == nil:
			l.errorf(v.pos, "%s must say where its value comes from: {env: NAME} or {file: PATH}", what)
		case env != nil && file != nil:
			l.errorf(v.pos, "%s has both env and file; give exactly one", what)
		case env != nil:
			s.Env = l.secretSource(env, what, "env", "an environment variable")
		default:
			s.File = l.rebase(k.pos.File, l.secretSource(file, what, "file", "a file"))
		}
	})
}

// secretSource returns a secret's env or file, which must name something:
// an empty one would fail only when the run starts.
func (l *loader) secretSource(n *node, what, key, names string) string {
	str, ok := l.stringField(n, what+" "+key)
	if ok && strings.TrimSpace(str) == "" {
		l.errorf(n.pos, "%s %s is empty: name %s", what, key, names)
	}
	return str
}

// rebase makes a relative secret file declared in a base plan relative to
// the including plan's directory, which is what the engine resolves it
// against; in the plan itself it stays as written.
func (l *loader) rebase(declaredIn, file string) string {
	if declaredIn == l.top || file == "" || isAbsAnyOS(file) {
		return file
	}
	rel, err := filepath.Rel(filepath.Dir(l.top), resolveRelative(declaredIn, file))
	if err != nil {
		return file
	}
	return rel
}

// isAbsAnyOS reports whether p is absolute on Unix or on Windows
// (C:\…, \\server\share), so that plans validate the same everywhere.
func isAbsAnyOS(p string) bool {
	switch {
	case strings.HasPrefix(p, "/"), strings.HasPrefix(p, `\`):
		return true
	case len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'):
		return true
	}
	return filepath.IsAbs(p)
}

// indexSteps records each step's id and mapping before anything else is
// decoded, so that references to step outputs can be checked anywhere.
func (l *loader) indexSteps(n *node) {
	if n == nil || n.kind != yaml.SequenceNode {
		return
	}
	for _, s := range n.content {
		id := scalarValue(s.get("id"))
		if _, dup := l.stepNodes[id]; id != "" && !dup {
			l.stepNodes[id] = s
		}
	}
}

func quote(s string) string { return `"` + shownValue(s) + `"` }
