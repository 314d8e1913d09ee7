// Package docscmd finds the commands the README and docs/ tell people to
// type, so that a test of each CLI can check that every one still parses
// (its subcommand and flags exist) and names files that exist: the docs
// cannot rot silently.
package docscmd

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// Command is one command line found in a doc.
type Command struct {
	File string
	Line int
	// Args are the words after the program, as a shell would split them
	// (quotes removed, variables left as written).
	Args []string
	Text string
}

// Find returns the command lines of program (e.g. "failover", also found as
// bin/failover) in the ```sh blocks of root's README.md and docs/*.md.
func Find(root, program string) ([]Command, error) {
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	// Glob returns them sorted.
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	var out []Command
	for _, f := range files {
		cmds, err := findIn(f, program)
		if err != nil {
			return nil, err
		}
		out = append(out, cmds...)
	}
	return out, nil
}

func findIn(path, program string) ([]Command, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Command
	inSh := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inSh = !inSh && strings.TrimPrefix(trimmed, "```") == "sh"
			continue
		}
		if !inSh {
			continue
		}
		words := split(strings.TrimPrefix(trimmed, "$ "))
		if len(words) == 0 || (words[0] != program && words[0] != "bin/"+program) {
			continue
		}
		out = append(out, Command{File: path, Line: n, Args: words[1:], Text: trimmed})
	}
	return out, sc.Err()
}

// split splits a command line as sh would into words, stopping at a
// comment, a pipe, a redirection or a command separator.
func split(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		case r == '|' || r == '>' || r == ';' || r == '&' || !inWord && r == '#':
			flush()
			return words
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	flush()
	return words
}

// RepoPaths returns the arguments of c that name files of the repository
// (examples/…, scripts/…, docs/…), which must exist (or, for a glob,
// match).
func (c Command) RepoPaths() []string {
	var out []string
	for _, a := range c.Args {
		for _, pre := range []string{"examples/", "scripts/", "docs/"} {
			if strings.HasPrefix(a, pre) {
				out = append(out, a)
			}
		}
	}
	return out
}
