package plans

import (
	"bytes"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// maxAliasNodes bounds the nodes that alias expansion may add to a
// document, so that a small file of nested aliases (a "billion laughs")
// cannot exhaust time or memory.
const maxAliasNodes = 100_000

// node is a YAML node with its file: plans merged through extends mix
// nodes of several files, and every diagnostic must point into the file
// where the offending text lives.
type node struct {
	kind    yaml.Kind // MappingNode, SequenceNode or ScalarNode
	tag     string    // resolved short tag: !!str, !!int, !!map, …
	value   string
	style   yaml.Style
	pos     Pos
	content []*node
	// src holds the file's lines for a scalar that spans lines (a | or >
	// block, a long quoted string), to find the columns inside it.
	src *source
	// merged is set on a mapping that held a YAML merge key (<<), which
	// is reported and dropped: what it lacks is not reported as missing.
	merged bool
	// find remembers the searches of findInSource in src.
	find *findCursor
}

// pairs calls fn for each key and value of a mapping, in order.
func (n *node) pairs(fn func(k, v *node)) {
	if n == nil || n.kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.content); i += 2 {
		fn(n.content[i], n.content[i+1])
	}
}

// get returns the value of key in a mapping, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.content); i += 2 {
		if n.content[i].value == key {
			return n.content[i+1]
		}
	}
	return nil
}

// keyNode returns the key node of key in a mapping, or nil.
func (n *node) keyNode(key string) *node {
	if n == nil || n.kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.content); i += 2 {
		if n.content[i].value == key {
			return n.content[i]
		}
	}
	return nil
}

// isNull reports whether the node is absent or an explicit null.
func (n *node) isNull() bool {
	return n == nil || (n.kind == yaml.ScalarNode && n.tag == "!!null")
}

// describe names the node's type for error messages.
func (n *node) describe() string {
	switch {
	case n == nil:
		return "nothing"
	case n.kind == yaml.MappingNode:
		return "a mapping"
	case n.kind == yaml.SequenceNode:
		return "a list"
	}
	switch n.tag {
	case "!!null":
		return "null"
	case "!!int":
		return "integer " + n.value
	case "!!float":
		return "number " + n.value
	case "!!bool":
		return "boolean " + n.value
	}
	return quoteShown(n.value)
}

// emptyFile is the message for a file without a YAML document.
const emptyFile = "file is empty"

// parseFile parses one YAML document into a node tree, reporting
// characters YAML does not allow, syntax errors and duplicate mapping
// keys. It returns nil for an empty file or
// a file that does not parse.
func parseFile(file string, data []byte) (*node, Diagnostics) {
	if ds := encodingErrors(file, data); len(ds) > 0 {
		return nil, ds
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, Diagnostics{syntaxError(file, data, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isEmptyDocument(&doc) {
		return nil, Diagnostics{{Severity: SeverityError, Pos: Pos{File: file, Line: 1, Col: 1}, Message: emptyFile}}
	}
	c := converter{file: file, data: data}
	root := c.convert(doc.Content[0])
	if c.aliased > maxAliasNodes {
		return nil, c.diags
	}
	if d, found := secondDocument(file, data, dec); found {
		c.diags = append(c.diags, d)
	}
	return root, c.diags
}

// secondDocument reports a YAML document after the first (after a "---"
// line): the loader reads only the first, and steps written after the
// separator would otherwise be dropped without a word. A bare "---" at
// the end of the file is harmless.
func secondDocument(file string, data []byte, dec *yaml.Decoder) (Diagnostic, bool) {
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		switch {
		case err == io.EOF:
			return Diagnostic{}, false
		case err != nil:
			return syntaxError(file, data, err), true
		case !isEmptyDocument(&next):
			return Diagnostic{Severity: SeverityError, Pos: Pos{File: file, Line: next.Line, Col: next.Column},
				Message: "a second YAML document starts here: a plan or vars file holds one document (combine plans with extends)"}, true
		}
	}
}

// isEmptyDocument reports whether a document holds nothing: a "---" with
// only comments, or nothing, after it.
func isEmptyDocument(doc *yaml.Node) bool {
	return len(doc.Content) == 1 && doc.Content[0].Kind == yaml.ScalarNode &&
		doc.Content[0].ShortTag() == "!!null" && doc.Content[0].Value == ""
}

type converter struct {
	slab    []node // nodes are allocated in chunks: a plan has many
	file    string
	data    []byte  // the file, for the columns of anchored values
	src     *source // its lines, split when first needed
	aliased int     // nodes added by expanding aliases
	inAlias int     // depth of alias expansion
	diags   Diagnostics
}

func (c *converter) errorf(pos Pos, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Severity: SeverityError, Pos: pos, Message: message(format, args)})
}

// convert copies a yaml.Node tree, expanding aliases and resolving tags.
func (c *converter) convert(y *yaml.Node) *node {
	if c.inAlias > 0 {
		c.aliased++
	}
	if c.aliased > maxAliasNodes {
		if c.aliased == maxAliasNodes+1 {
			c.errorf(Pos{File: c.file, Line: y.Line, Col: y.Column},
				"document too large: its aliases expand to more than %d values", maxAliasNodes)
		}
		return &node{kind: yaml.ScalarNode, tag: "!!null", pos: Pos{File: c.file, Line: y.Line, Col: y.Column}}
	}
	if y.Kind == yaml.AliasNode && y.Alias != nil {
		c.inAlias++
		n := c.convert(y.Alias)
		c.inAlias--
		cp := *n
		cp.pos = Pos{File: c.file, Line: y.Line, Col: y.Column}
		return &cp
	}
	n := c.alloc()
	*n = node{kind: y.Kind, tag: y.ShortTag(), value: y.Value, style: y.Style,
		pos: Pos{File: c.file, Line: y.Line, Col: c.valueColumn(y)}}
	if y.Kind == yaml.ScalarNode && c.needsSource(y, n.pos.Col) {
		n.src = c.source()
	}
	if c.inAlias == 0 && n.style&yaml.DoubleQuotedStyle != 0 {
		c.checkEscapedPath(n)
	}
	if y.Kind == yaml.DocumentNode && len(y.Content) > 0 {
		return c.convert(y.Content[0])
	}
	n.content = make([]*node, 0, len(y.Content))
	for _, e := range y.Content {
		n.content = append(n.content, c.convert(e))
	}
	if n.kind == yaml.MappingNode {
		n.content, n.merged = c.dedupe(n.content)
	}
	return n
}

// escapeNames names what YAML makes of a backslash escape that Windows
// paths are prone to hold (\n, \t, \L, …).
var escapeNames = map[rune]string{
	'\x00': `a null character (\0)`, '\a': `a bell (\a)`, '\b': `a backspace (\b)`, '\t': `a tab (\t)`,
	'\n': `a line feed (\n)`, '\v': `a vertical tab (\v)`, '\f': `a form feed (\f)`, '\r': `a carriage return (\r)`,
	'\x1b': `an escape character (\e)`, '\u0085': `a next-line character (\N)`, '\u00a0': `a no-break space (\_)`,
	'\u2028': `a line separator (\L)`, '\u2029': `a paragraph separator (\P)`,
}

// checkEscapedPath warns about a double-quoted string that looks like a
// Windows path or login whose backslashes YAML took for escapes:
// "D:\LogShip" is D: then a line separator, "C:\temp" holds a tab,
// "CORP\nadmin" a line feed. It looks like one when it starts with a
// drive letter or still holds a backslash, or, being one word (no
// blank), has what an escape makes between two letters or digits; and it
// is mangled when it holds what one of those escapes makes.
func (c *converter) checkEscapedPath(n *node) {
	if !strings.ContainsFunc(n.value, func(r rune) bool { _, ok := escapeNames[r]; return ok }) {
		return // the common case: nothing an escape made
	}
	s := []rune(n.value)
	drive := len(s) >= 2 && s[1] == ':' && unicode.IsLetter(s[0]) && s[0] < 0x80
	pathLike := drive || strings.Contains(n.value, `\`)
	for i, r := range s {
		name, ok := escapeNames[r]
		if !ok {
			continue
		}
		word := i > 0 && i+1 < len(s) && isAlnum(s[i-1]) && isAlnum(s[i+1]) && !strings.ContainsAny(n.value, " ")
		if pathLike || word {
			c.diags = append(c.diags, Diagnostic{Severity: SeverityWarning, Pos: n.pos, Message: "this double-quoted string holds " +
				name + " where a path or DOMAIN\\user would have a backslash: in double quotes a backslash starts an escape; " +
				`write Windows paths in single quotes, 'D:\LogShip', or double each backslash`})
			return
		}
	}
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// valueColumn is the column where a node's value starts. yaml.v3 places
// a node with an anchor or an explicit tag at the "&" or "!" before it,
// which would put the columns of references in "&x '${vars.a}'" a few
// characters early; when the value follows on the same line, its own
// column is taken.
func (c *converter) valueColumn(y *yaml.Node) int {
	if y.Anchor == "" && y.Style&yaml.TaggedStyle == 0 {
		return y.Column
	}
	line, _ := c.source().line(y.Line)
	b := c.source().offset(y.Line, y.Column)
	if b < 0 {
		return y.Column
	}
	rest := line[b:]
	for strings.HasPrefix(rest, "&") || strings.HasPrefix(rest, "!") {
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			rest = strings.TrimLeft(rest[i:], " \t")
		} else {
			rest = ""
		}
	}
	if rest == "" || rest[0] == '#' {
		return y.Column // the value starts on a later line
	}
	return y.Column + utf8.RuneCountInString(line[b:len(line)-len(rest)])
}

// needsSource reports whether the columns of references inside a scalar
// starting at col need its source lines: it holds a ${ (positions inside
// a scalar are those of references) and is a | or > block, a string
// folded onto the next lines (its value then holds more characters than
// its first line has left), or in double quotes, where an escape may
// stand for a character written as several.
func (c *converter) needsSource(y *yaml.Node, col int) bool {
	switch {
	case !strings.Contains(y.Value, "${"):
		return false
	case y.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.DoubleQuotedStyle) != 0 || strings.Contains(y.Value, "\n"):
		return true
	}
	return c.source().runes(y.Line)-(col-1) < utf8.RuneCountInString(y.Value)
}

// source returns the file's lines, split the first time they are
// needed (most plans need them for few nodes).
func (c *converter) source() *source {
	if c.src == nil {
		c.src = newSource(c.data)
	}
	return c.src
}

func (c *converter) alloc() *node {
	if len(c.slab) == 0 {
		c.slab = make([]node, 256)
	}
	n := &c.slab[0]
	c.slab = c.slab[1:]
	return n
}

// dedupe reports duplicate keys of a mapping (yaml.v3 does not when
// decoding into a Node) and keeps the first of each; it drops (and
// reports) merge keys, and says whether there was one.
func (c *converter) dedupe(content []*node) ([]*node, bool) {
	merged := false
	seen := make(map[string]Pos, len(content)/2)
	out := content[:0]
	for i := 0; i+1 < len(content); i += 2 {
		k := content[i]
		if k.kind != yaml.ScalarNode {
			c.errorf(k.pos, "mapping keys must be plain strings, got %s", k.describe())
			continue
		}
		if k.tag == "!!merge" {
			c.errorf(k.pos, "YAML merge keys (<<) are not supported; use extends or vars")
			merged = true
			continue
		}
		if first, dup := seen[k.value]; dup && c.aliased <= maxAliasNodes {
			c.errorf(k.pos, "duplicate key %q (first at line %d, column %d)", k.value, first.Line, first.Col)
			continue
		}
		seen[k.value] = k.pos
		out = append(out, k, content[i+1])
	}
	return out, merged
}
