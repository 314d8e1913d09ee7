package plans

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// varTable holds the vars of a plan: their sources (plan, --vars-file,
// --var, the last one wins) and their values, resolved on first use.
type varTable struct {
	src   map[string]*node
	lit   map[string]*Value // --var values, taken literally
	vals  map[string]*Value
	state map[string]int // 1: resolving, 2: resolved
	chain []string
	// declared are the names given by the plan or a vars file; used, those
	// a reference looked up. A --var of neither is most likely a typo.
	declared, used map[string]bool
}

// maxVarValues bounds the size of one var's value once the vars it
// references are substituted: vars that each repeat the one before would
// otherwise grow exponentially.
const maxVarValues = 10_000

// withinSize reports whether v holds at most limit values, looking at no
// more than limit of them.
func withinSize(v *Value, limit int) bool {
	count := 0
	var walk func(x *Value) bool
	walk = func(x *Value) bool {
		if count++; count > limit {
			return false
		}
		for _, e := range x.List {
			if !walk(e) {
				return false
			}
		}
		for _, e := range x.Map {
			if !walk(e) {
				return false
			}
		}
		return true
	}
	return walk(v)
}

func newVarTable() *varTable {
	return &varTable{src: map[string]*node{}, lit: map[string]*Value{},
		vals: map[string]*Value{}, state: map[string]int{}, declared: map[string]bool{}, used: map[string]bool{}}
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// collectVars gathers the plan's vars, then each vars file's, then each
// --var, and resolves them all so that every bad reference is reported
// even in a var no step uses.
func (l *loader) collectVars(n *node) {
	t := l.vars
	l.addVars(n, "vars")
	for _, f := range l.opts.VarsFiles {
		l.addVarsFile(f)
	}
	for _, kv := range l.opts.Vars {
		l.addVarFlag(kv)
	}
	for _, name := range l.varNames() {
		t.resolve(l, name, Pos{})
	}
}

func (l *loader) varNames() []string {
	names := sortedKeys(l.vars.src)
	for _, k := range sortedKeys(l.vars.lit) {
		if _, ok := l.vars.src[k]; !ok {
			names = append(names, k)
		}
	}
	return names
}

func (l *loader) addVars(n *node, what string) {
	if n.isNull() {
		return
	}
	if n.kind != yaml.MappingNode {
		l.errorf(n.pos, "%s must be a mapping of names to values, got %s", what, n.describe())
		return
	}
	n.pairs(func(k, v *node) {
		if !identRe.MatchString(k.value) {
			l.errorf(k.pos, "bad variable name %q: use letters, digits, _ and -, starting with a letter or _", k.value)
			return
		}
		l.vars.src[k.value] = v
		l.vars.declared[k.value] = true
		delete(l.vars.lit, k.value)
	})
}

func (l *loader) addVarsFile(path string) {
	data, err := l.read(path)
	if err != nil {
		l.errorf(Pos{File: path}, "read vars file: %v", err)
		return
	}
	root, ds := parseFile(path, data)
	if root == nil && len(ds) == 1 && ds[0].Message == emptyFile {
		return // a vars file of comments only (a site with nothing to override) sets nothing
	}
	l.diags = append(l.diags, ds...)
	if root != nil {
		l.addVars(root, "a vars file")
	}
}

// ParseVarFlag splits a --var flag into its name and value, the value
// taken literally; it fails when there is no "=" or the name is not a
// var name. The CLI checks its flags with it before loading any plan.
func ParseVarFlag(kv string) (name, value string, err error) {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || !identRe.MatchString(k) {
		return "", "", fmt.Errorf("malformed --var %q: want NAME=VALUE, NAME of letters, digits, _ and -", kv)
	}
	return k, v, nil
}

func (l *loader) addVarFlag(kv string) {
	pos := Pos{File: "--var " + kv}
	k, v, err := ParseVarFlag(kv)
	if err != nil {
		l.errorf(pos, "%v", err)
		return
	}
	typed := l.typedFlag(k, v, pos)
	delete(l.vars.src, k)
	l.vars.lit[k] = typed
}

// typedFlag builds the value of a --var. The command line has only text,
// so a var that the plan (or a vars file, or an earlier --var) gives as an
// integer, number or boolean keeps that type when the text reads as one:
// --var attempts=5 then fits retry: { attempts: "${vars.attempts}" }.
// Anything else stays the literal string.
func (l *loader) typedFlag(name, text string, pos Pos) *Value {
	declared := KindString
	if n := l.vars.src[name]; n != nil && n.kind == yaml.ScalarNode {
		declared = map[string]ValueKind{"!!int": KindInt, "!!float": KindFloat, "!!bool": KindBool}[n.tag]
	} else if prev := l.vars.lit[name]; prev != nil {
		declared = prev.Kind
	}
	v := &Value{Kind: KindString, Str: text, Pos: pos}
	switch declared {
	case KindInt:
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			v = &Value{Kind: KindInt, Int: i, Pos: pos}
		}
	case KindFloat:
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			v = &Value{Kind: KindFloat, Float: f, Pos: pos}
		}
	case KindBool:
		if b, err := strconv.ParseBool(text); err == nil && len(text) > 1 {
			v = &Value{Kind: KindBool, Bool: b, Pos: pos}
		}
	}
	return v
}

// lookup returns the value at path (a var name, then map keys), or nil
// after reporting why there is none.
func (t *varTable) lookup(l *loader, path []string, text string, pos Pos) *Value {
	t.used[path[0]] = true
	v := t.resolve(l, path[0], pos)
	if v == nil {
		return nil
	}
	if l.bad[v] {
		return v
	}
	for i, key := range path[1:] {
		if v.Kind != KindMap {
			l.errorf(pos, "%s: vars.%s is %s, not a mapping", text, strings.Join(path[:i+1], "."), kindName(v.Kind))
			return nil
		}
		e, ok := v.Map[key]
		if !ok {
			l.errorf(pos, "%s: vars.%s has no key %q%s", text, strings.Join(path[:i+1], "."), key, l.didYouMean(key, func() []string { return v.Keys }))
			return nil
		}
		v = e
	}
	return v
}

// resolve returns the value of a var, building it on first use.
func (t *varTable) resolve(l *loader, name string, use Pos) *Value {
	if v, ok := t.lit[name]; ok {
		return v
	}
	switch t.state[name] {
	case 2:
		return t.vals[name]
	case 1:
		l.errorf(use, "variable cycle: %s → %s", composed(joinShown(t.chain, " → ")), name)
		return nil
	}
	n, ok := t.src[name]
	if !ok {
		names := func() []string { return append(keysOf(t.src), keysOf(t.lit)...) }
		l.errorf(use, "undefined variable %q%s", name, l.didYouMean(name, names))
		return nil
	}
	t.state[name] = 1
	t.chain = append(t.chain, name)
	v := l.value(n, &refCtx{field: "vars", runtime: true, steps: true})
	if !l.bad[v] && !withinSize(v, maxVarValues) {
		l.errorf(n.pos, "variable %q expands to more than %d values", name, maxVarValues)
		v = l.poisoned(n.pos)
	}
	t.chain = t.chain[:len(t.chain)-1]
	t.state[name] = 2
	t.vals[name] = v
	return v
}

// warnUnusedFlags warns about each --var that names a var the plan
// neither declares nor uses: the override changes nothing, and is most
// likely a misspelt name (--var databse=mgc).
func (l *loader) warnUnusedFlags() {
	names := sortedKeys(l.vars.declared)
	for _, kv := range l.opts.Vars {
		k, _, err := ParseVarFlag(kv)
		if err != nil || l.vars.declared[k] || l.vars.used[k] {
			continue
		}
		l.warnf(Pos{File: "--var " + kv}, "plan %s neither declares nor uses a var %q, so this --var changes nothing%s",
			l.top, k, didYouMean(k, names))
	}
}
