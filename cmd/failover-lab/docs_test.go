package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/internal/docscmd"
)

// TestDocsCommandsParse: every failover-lab command the README and docs/
// show in a ```sh block names a subcommand and flags that exist.
func TestDocsCommandsParse(t *testing.T) {
	cmds, err := docscmd.Find(filepath.Join("..", ".."), "failover-lab")
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) < 5 {
		t.Fatalf("found %d failover-lab commands in the docs; the finder is broken", len(cmds))
	}
	for _, c := range cmds {
		root := newRootCmd(io.Discard, io.Discard)
		sub, rest, err := root.Find(c.Args)
		if err == nil && sub != root {
			err = sub.ParseFlags(rest)
		}
		if err != nil || sub == root && len(c.Args) > 0 && !strings.HasPrefix(c.Args[0], "-") {
			t.Errorf("%s:%d: %s: %v", c.File, c.Line, c.Text, err)
		}
	}
}
