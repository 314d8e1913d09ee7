package labfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// PathMapping maps one Windows path (a drive or folder on it, or a UNC
// share or folder in it) to a local folder.
type PathMapping struct {
	// Windows is the path as SQL Server and plans name it: `D:\`,
	// `D:\LSCopy\mgc`, `\\DC1-FS01\LSBackup`.
	Windows string `yaml:"windows" json:"windows"`
	// Local is the folder it stands for on this machine (absolute).
	Local string `yaml:"local" json:"local"`
}

// PathMap resolves Windows paths to local folders, as the lab's simulated
// SQL Server must: a plan names `D:\LSCopy\mgc\mgc_….trn`, the lab reads
// DIR/copy/mgc_….trn. Names compare case-insensitively, / and \ both
// separate components, and the longest mapping that covers a path wins
// (`D:\LSCopy\mgc` before `D:\`). The zero PathMap maps nothing.
type PathMap struct {
	// entries, longest Windows path first.
	entries []pathEntry
}

type pathEntry struct {
	win   WinPath
	local string
}

// Errors of Resolve.
var (
	// ErrNotWindowsPath: the path is not an absolute Windows path.
	ErrNotWindowsPath = errors.New("not an absolute Windows path")
	// ErrNotMapped: an absolute Windows path that no mapping covers.
	ErrNotMapped = errors.New("no mapping covers the path")
)

// NewPathMap checks the mappings: each Windows side an absolute Windows
// path, each local side an absolute path, no Windows path twice.
func NewPathMap(ms []PathMapping) (PathMap, error) {
	var m PathMap
	var errs []error
	for _, pm := range ms {
		w, ok := ParseWinPath(pm.Windows)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("path map: %q is not a drive (D:\\…) or UNC share (\\\\server\\share…)", pm.Windows))
			continue
		case !filepath.IsAbs(pm.Local):
			errs = append(errs, fmt.Errorf("path map: %s → %q: the local folder must be an absolute path", pm.Windows, pm.Local))
			continue
		}
		for _, e := range m.entries {
			if w.HasPrefix(e.win) && e.win.HasPrefix(w) {
				errs = append(errs, fmt.Errorf("path map: %s is mapped twice (also as %s)", pm.Windows, e.win))
			}
		}
		m.entries = append(m.entries, pathEntry{win: w, local: filepath.Clean(pm.Local)})
	}
	sort.SliceStable(m.entries, func(i, j int) bool {
		a, b := m.entries[i].win, m.entries[j].win
		if len(a.Parts) != len(b.Parts) {
			return len(a.Parts) > len(b.Parts)
		}
		return strings.ToLower(a.String()) < strings.ToLower(b.String())
	})
	return m, errors.Join(errs...)
}

// Mappings returns the mappings, longest Windows path first (most
// components; then by name).
func (m PathMap) Mappings() []PathMapping {
	out := make([]PathMapping, len(m.entries))
	for i, e := range m.entries {
		out[i] = PathMapping{Windows: e.win.String(), Local: e.local}
	}
	return out
}

// Resolve returns the local path of an absolute Windows path. Below the
// mapped folder each component is matched case-insensitively against
// what exists, as on Windows; a component that matches nothing is kept as
// written (the caller then finds it missing). Errors wrap
// ErrNotWindowsPath or ErrNotMapped.
func (m PathMap) Resolve(p string) (string, error) {
	w, ok := ParseWinPath(p)
	if !ok {
		return "", fmt.Errorf("resolve %q: %w", p, ErrNotWindowsPath)
	}
	for _, e := range m.entries {
		if w.HasPrefix(e.win) {
			return FoldJoin(e.local, w.Parts[len(e.win.Parts):]), nil
		}
	}
	return "", fmt.Errorf("resolve %s: %w", w, ErrNotMapped)
}

// Windows returns the Windows path of a local path inside a mapped
// folder (the longest mapping's), the inverse of Resolve; ok is false
// outside every mapped folder.
func (m PathMap) Windows(local string) (string, bool) {
	local = filepath.Clean(local)
	best, found := "", -1
	for _, e := range m.entries {
		rel, err := filepath.Rel(e.local, local)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if found < 0 || len(e.local) > found {
			best, found = e.win.Join(filepath.ToSlash(rel)).String(), len(e.local)
		}
	}
	return best, found >= 0
}

// String lists the mappings as `WINDOWS=LOCAL` separated by ";" (for
// people: status output, logs).
func (m PathMap) String() string {
	parts := make([]string, len(m.entries))
	for i, e := range m.entries {
		parts[i] = e.win.String() + "=" + e.local
	}
	return strings.Join(parts, ";")
}

// FoldJoin joins parts below base, matching each part case-insensitively
// against the names that exist (an exact match first), so that a path
// spelled in another case finds the file as Windows would.
func FoldJoin(base string, parts []string) string {
	cur := base
	for i, p := range parts {
		next := filepath.Join(cur, p)
		if _, err := os.Lstat(next); err == nil {
			cur = next
			continue
		}
		name, ok := foldName(cur, p)
		if !ok {
			return filepath.Join(append([]string{cur}, parts[i:]...)...)
		}
		cur = filepath.Join(cur, name)
	}
	return cur
}

// foldName finds the entry of dir whose name equals p but for case.
func foldName(dir, p string) (string, bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	for _, e := range entries {
		if strings.EqualFold(e.Name(), p) {
			return e.Name(), true
		}
	}
	return "", false
}
