package plans

import (
	"path"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/failover-dev/failover/actions"
)

// Load reads, merges (extends), interpolates and checks the plan at path.
// It returns every diagnostic found, in the order found, and a non-nil
// Plan only when none of them is an error.
func Load(path string, opts Options) (*Plan, Diagnostics) {
	l := newLoader(opts)
	if opts.Registry == nil {
		l.errorf(Pos{File: path}, "load plan: no action registry given")
		return nil, l.diags
	}
	data, err := l.read(path)
	if err != nil {
		l.errorf(Pos{File: path}, "read plan: %v", err)
		return nil, l.diags
	}
	root := l.loadFile(path, data, nil)
	if root == nil {
		return nil, l.diags
	}
	p := l.decodePlan(path, root)
	if l.diags.HasErrors() {
		return nil, l.diags
	}
	return p, l.diags
}

// loader holds the state of one Load.
type loader struct {
	opts  Options
	reg   *actions.Registry
	read  func(string) ([]byte, error)
	diags Diagnostics

	name      string
	top       string // the path of the plan being loaded
	secrets   map[string]*Secret
	stepNodes map[string]*node // step id → its mapping (first of each id)
	vars      *varTable
	bad       map[*Value]bool   // values whose references were reported
	kept      map[*Value][]*Ref // the sound references of bad values
	merged    map[*Value]bool   // mappings that held a merge key (<<)
	implied   map[*Step][]implicitDep
	misspelt  map[*node][]string // keys suggested for unknown keys, by mapping

	limits    Limits
	total     int64             // bytes substitution produced so far (Limits.TotalSize)
	overTotal bool              // the total was passed and reported
	sizes     map[*Value]int64  // sizeOf, remembered
	refs      map[*Value][]*Ref // refsOf, remembered
	suggested int               // candidates looked at for suggestions (suggestBudget)
}

func newLoader(opts Options) *loader {
	limits := opts.Limits.orDefaults()
	return &loader{opts: opts, reg: opts.Registry, read: reader(opts.ReadFile, limits.FileSize), vars: newVarTable(),
		secrets: map[string]*Secret{}, stepNodes: map[string]*node{}, bad: map[*Value]bool{}, kept: map[*Value][]*Ref{}, merged: map[*Value]bool{},
		implied: map[*Step][]implicitDep{}, misspelt: map[*node][]string{}, limits: limits, sizes: map[*Value]int64{}, refs: map[*Value][]*Ref{}}
}

func (l *loader) errorf(pos Pos, format string, args ...any) {
	l.diags = append(l.diags, Diagnostic{Severity: SeverityError, Pos: pos, Message: message(format, args)})
}

func (l *loader) warnf(pos Pos, format string, args ...any) {
	l.diags = append(l.diags, Diagnostic{Severity: SeverityWarning, Pos: pos, Message: message(format, args)})
}

// loadFile parses path's data and, through extends, its base plans, and
// returns the merged tree. chain holds the files that extend this one.
func (l *loader) loadFile(path string, data []byte, chain []string) *node {
	root, ds := parseFile(path, data)
	l.diags = append(l.diags, ds...)
	if root == nil {
		return nil
	}
	if root.kind != yaml.MappingNode {
		l.errorf(root.pos, "a plan must be a mapping of fields (version, name, steps, …), got %s", root.describe())
		return nil
	}
	l.checkVersion(root)
	ext := root.get("extends")
	if ext.isNull() {
		return root
	}
	if ext.kind != yaml.ScalarNode || ext.tag != "!!str" || ext.value == "" {
		l.errorf(ext.pos, "extends must be the path of a base plan, got %s", ext.describe())
		return root
	}
	basePath := resolveRelative(path, ext.value)
	chain = append(chain, path)
	for i, f := range chain {
		if filepath.Clean(f) == filepath.Clean(basePath) {
			cycle := append(append([]string(nil), chain[i:]...), basePath)
			l.errorf(ext.pos, "extends cycle: %s", composed(joinShown(cycle, " → ")))
			return root
		}
	}
	baseData, err := l.read(basePath)
	if err != nil {
		l.errorf(ext.pos, "read base plan: %v", err)
		return root
	}
	base := l.loadFile(basePath, baseData, chain)
	if base == nil {
		return root
	}
	return mergeTop(base, root)
}

// resolveRelative resolves a path written in the plan at from: relative
// to from's directory. Backslashes count as separators on every OS, so a
// plan written on Windows validates on Linux; the result keeps from's
// style of separator, so that messages show paths as the user wrote them.
func resolveRelative(from, p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	if isAbsAnyOS(p) {
		return filepath.FromSlash(p)
	}
	joined := path.Join(path.Dir(strings.ReplaceAll(from, `\`, "/")), p)
	if strings.Contains(from, `\`) {
		return filepath.FromSlash(joined)
	}
	return joined
}

// checkVersion checks a file's own version field, so that a base plan of
// another version is caught even though the including file's wins.
func (l *loader) checkVersion(root *node) {
	v := root.get("version")
	if v == nil {
		return
	}
	if v.kind != yaml.ScalarNode || v.tag != "!!int" {
		l.errorf(v.pos, "version must be the integer 1, got %s", v.describe())
		return
	}
	if v.value != "1" {
		l.errorf(v.pos, "unsupported plan version %s (this failover reads version 1)", v.value)
	}
}

// appendKeys are the top-level lists that append across extends.
var appendKeys = map[string]bool{"steps": true, "preflight": true}

// mergeTop merges an including plan over its base: mappings merge
// recursively (the including file wins), the preflight and steps lists
// append (the base's first), anything else is replaced. extends is
// consumed.
func mergeTop(base, over *node) *node {
	out := mergeMap(base, over, appendKeys)
	kept := out.content[:0]
	for i := 0; i+1 < len(out.content); i += 2 {
		if out.content[i].value != "extends" {
			kept = append(kept, out.content[i], out.content[i+1])
		}
	}
	out.content = kept
	return out
}

// mergeMap merges two mappings, each key looked up in the other through
// an index: vars of thousands of keys on both sides merge in linear time.
func mergeMap(base, over *node, appendAt map[string]bool) *node {
	out := &node{kind: yaml.MappingNode, tag: over.tag, pos: over.pos}
	inBase, inOver := keyIndex(base), keyIndex(over)
	base.pairs(func(k, v *node) {
		i, ok := inOver[k.value]
		if !ok {
			out.content = append(out.content, k, v)
			return
		}
		out.content = append(out.content, over.content[i], mergeValue(v, over.content[i+1], appendAt[k.value]))
	})
	over.pairs(func(k, v *node) {
		if _, ok := inBase[k.value]; !ok {
			out.content = append(out.content, k, v)
		}
	})
	return out
}

// keyIndex maps each key of a mapping to its position in content (keys
// are unique: the converter dropped duplicates).
func keyIndex(n *node) map[string]int {
	ix := make(map[string]int, len(n.content)/2)
	for i := 0; i+1 < len(n.content); i += 2 {
		if _, dup := ix[n.content[i].value]; !dup {
			ix[n.content[i].value] = i
		}
	}
	return ix
}

func mergeValue(base, over *node, appendList bool) *node {
	switch {
	case base.kind == yaml.MappingNode && over.kind == yaml.MappingNode:
		return mergeMap(base, over, nil)
	case appendList && base.kind == yaml.SequenceNode && over.kind == yaml.SequenceNode:
		seq := &node{kind: yaml.SequenceNode, tag: over.tag, pos: over.pos}
		seq.content = append(append(seq.content, base.content...), over.content...)
		return seq
	}
	return over
}
