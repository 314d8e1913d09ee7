package fs

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// windowsStyle reports whether p is written as a Windows path: a drive
// letter (D:\LogShip), a UNC share (\\dc1-fs01\logship) or any
// backslash. Plans are validated on Linux too, where such a path is just
// a name, so the lexical checks follow the path's own style.
func windowsStyle(p string) bool {
	return strings.HasPrefix(p, `\\`) || hasDrive(p) || strings.Contains(p, `\`)
}

func hasDrive(p string) bool {
	return len(p) >= 2 && p[1] == ':' && (p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z')
}

// lexicalKey is p cleaned for comparison: slashes, no "." or "..", and for
// a Windows path lower case with the UNC prefix kept apart (Clean would
// fold its two slashes into one).
func lexicalKey(p string) string {
	if !windowsStyle(p) {
		return path.Clean(p)
	}
	s := strings.ReplaceAll(p, `\`, "/")
	prefix := ""
	if strings.HasPrefix(s, "//") {
		prefix, s = "unc:", s[1:]
	}
	return prefix + strings.ToLower(path.Clean(s))
}

// within reports whether inner is outer or lies below it; both are keys
// (lexicalKey, or resolved paths with slashes).
func within(inner, outer string) bool {
	if inner == outer {
		return true
	}
	if !strings.HasSuffix(outer, "/") {
		outer += "/"
	}
	return strings.HasPrefix(inner, outer)
}

// checkNesting refuses a destination inside the source (the copy would
// copy its own output, forever on a re-run) and a source inside the
// destination (the copy would land among its own input). f and t are the
// keys compared, from and to the names the error shows.
func checkNesting(f, t, from, to string) error {
	switch {
	case f == t:
		return fmt.Errorf("from and to are the same directory (%s)", from)
	case within(t, f):
		return fmt.Errorf("to (%s) is inside from (%s): the copy would copy its own output", to, from)
	case within(f, t):
		return fmt.Errorf("from (%s) is inside to (%s): the copy would write among its own source files", from, to)
	}
	return nil
}

// checkLexicalNesting is checkNesting on the paths as written (plan
// load): only paths of the same style can be compared.
func checkLexicalNesting(from, to string) error {
	if windowsStyle(from) != windowsStyle(to) {
		return nil
	}
	return checkNesting(lexicalKey(from), lexicalKey(to), from, to)
}

// checkPattern refuses a glob that is malformed or that names files
// outside from: an absolute pattern, a drive, ".." or "." components.
// Patterns use "/" between directories; a backslash would escape the
// next character, so it is refused with the spelling to use instead.
func checkPattern(kind string, i int, p string) error {
	where := fmt.Sprintf("%s item %d (%q)", kind, i+1, p)
	switch {
	case p == "":
		return fmt.Errorf("%s: a pattern must not be empty", where)
	case strings.Contains(p, `\`):
		return fmt.Errorf("%s: write directories with / (%s): in a glob a backslash escapes the next character",
			where, strings.ReplaceAll(p, `\`, "/"))
	case strings.HasPrefix(p, "/") || hasDrive(p):
		return fmt.Errorf("%s: a pattern is relative to from; an absolute pattern would name files outside it", where)
	case !doublestar.ValidatePattern(p):
		return fmt.Errorf("%s: not a valid glob (unclosed [ or {?)", where)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." {
			return fmt.Errorf("%s: %q components are not allowed: a pattern names files below from, never beside or above it", where, part)
		}
	}
	return nil
}

// recursive reports whether any include pattern can match below the top
// directory: only a pattern with a "/" can (doublestar's * and ** never
// match a "/" within one component). No pattern means every file, at any
// depth.
func recursive(include []string) bool {
	if len(include) == 0 {
		return true
	}
	for _, p := range include {
		if strings.Contains(p, "/") {
			return true
		}
	}
	return false
}

// matcher decides which files a copy takes.
type matcher struct {
	include, exclude []string
	// fold compares case-insensitively, as Windows names are.
	fold bool
}

func newMatcher(include, exclude []string, fold bool) matcher {
	low := func(ps []string) []string {
		if !fold {
			return ps
		}
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = strings.ToLower(p)
		}
		return out
	}
	return matcher{include: low(include), exclude: low(exclude), fold: fold}
}

// match reports whether rel (slash-separated, relative to from) is taken.
func (m matcher) match(rel string) bool {
	if m.fold {
		rel = strings.ToLower(rel)
	}
	ok := len(m.include) == 0
	for _, p := range m.include {
		if doublestar.MatchUnvalidated(p, rel) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	for _, p := range m.exclude {
		if doublestar.MatchUnvalidated(p, rel) {
			return false
		}
	}
	return true
}

// foldNames reports whether file names compare case-insensitively here.
func foldNames() bool { return runtime.GOOS == "windows" }

// resolveDir returns dir made absolute with its symbolic links resolved,
// as far as it exists (a destination may not exist yet), with slashes.
func resolveDir(fsys copyFS, dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("make %s absolute: %w", dir, err)
	}
	rest := ""
	for p := abs; ; p = filepath.Dir(p) {
		r, err := fsys.EvalSymlinks(p)
		if err == nil {
			return filepath.ToSlash(filepath.Join(r, rest)), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.ToSlash(abs), nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// errEscapes is wrapped by the errors about a name that leads outside the
// directory it was found in.
var errEscapes = errors.New("escapes the directory")
