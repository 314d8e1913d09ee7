package labfile

import "strings"

// WinPath is an absolute Windows path split into its root and its
// components: a drive ("D:") or a UNC share (`\\server\share`), then the
// folders and file below it. "." and ".." are applied when it is parsed,
// as Windows does (".." never climbs above the root).
type WinPath struct {
	// Root is "D:" or `\\server\share`, with backslashes, as written.
	Root string
	// Parts are the components below the root.
	Parts []string
	// UNC is true for a `\\server\share` root.
	UNC bool
}

// ParseWinPath parses an absolute Windows path; both / and \ separate
// components. ok is false for anything else: a relative path ("x.trn"), a
// drive-relative one ("D:x.trn"), a root-relative one (`\x.trn`, which
// also covers every POSIX path), a UNC path without a share name, and the
// device paths `\\?\…` and `\\.\…`.
func ParseWinPath(p string) (WinPath, bool) {
	s := strings.ReplaceAll(p, "/", `\`)
	switch {
	case len(s) >= 3 && isDriveLetter(s[0]) && s[1] == ':' && s[2] == '\\':
		return WinPath{Root: strings.ToUpper(s[:1]) + ":", Parts: cleanParts(s[3:])}, true
	case strings.HasPrefix(s, `\\`):
		rest := strings.Split(s[2:], `\`)
		if len(rest) < 2 || rest[0] == "" || rest[1] == "" || rest[0] == "?" || rest[0] == "." {
			return WinPath{}, false
		}
		root := `\\` + rest[0] + `\` + rest[1]
		return WinPath{Root: root, Parts: cleanParts(strings.Join(rest[2:], `\`)), UNC: true}, true
	}
	return WinPath{}, false
}

func isDriveLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// cleanParts splits a backslash path below a root into components,
// dropping empty ones and ".", and applying "..".
func cleanParts(s string) []string {
	var out []string
	for _, c := range strings.Split(s, `\`) {
		switch c {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// String is the path with backslashes: `D:\LSCopy\mgc`, `\\DC1-FS01\LSBackup`.
func (w WinPath) String() string {
	if len(w.Parts) == 0 {
		if w.UNC {
			return w.Root
		}
		return w.Root + `\`
	}
	return w.Root + `\` + strings.Join(w.Parts, `\`)
}

// HasPrefix reports whether w is pre or lies below it, compared
// case-insensitively as Windows compares names.
func (w WinPath) HasPrefix(pre WinPath) bool {
	if !strings.EqualFold(w.Root, pre.Root) || len(w.Parts) < len(pre.Parts) {
		return false
	}
	for i, p := range pre.Parts {
		if !strings.EqualFold(w.Parts[i], p) {
			return false
		}
	}
	return true
}

// Join appends components to w (each may hold separators itself).
func (w WinPath) Join(parts ...string) WinPath {
	out := WinPath{Root: w.Root, UNC: w.UNC, Parts: append([]string(nil), w.Parts...)}
	for _, p := range parts {
		out.Parts = append(out.Parts, cleanParts(strings.ReplaceAll(p, "/", `\`))...)
	}
	out.Parts = cleanParts(strings.Join(out.Parts, `\`))
	return out
}
