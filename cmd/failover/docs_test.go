package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/failover-dev/failover/internal/docscmd"
)

// TestDocsCommandsParse: every failover command the README and docs/ show
// in a ```sh block names a subcommand and flags that exist, and the files
// of this repository it names exist (patterns match something). A renamed
// flag or a moved example fails here, not in front of a reader.
func TestDocsCommandsParse(t *testing.T) {
	root := filepath.Join("..", "..")
	cmds, err := docscmd.Find(root, "failover")
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) < 20 {
		t.Fatalf("found %d failover commands in the docs; the finder is broken", len(cmds))
	}
	for _, c := range cmds {
		rootCmd := newRootCmd(newApp(strings.NewReader(""), io.Discard, io.Discard))
		sub, rest, err := rootCmd.Find(c.Args)
		if err == nil && sub != rootCmd {
			err = sub.ParseFlags(rest)
		}
		if err != nil || sub == rootCmd && len(c.Args) > 0 && !strings.HasPrefix(c.Args[0], "-") {
			t.Errorf("%s:%d: %s: %v", c.File, c.Line, c.Text, err)
		}
		for _, p := range c.RepoPaths() {
			if m, _ := doublestar.FilepathGlob(filepath.Join(root, p)); len(m) == 0 {
				t.Errorf("%s:%d: %s: %s does not exist in the repository", c.File, c.Line, c.Text, p)
			}
		}
	}
}
