package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary stand in for the failover command, the
// standard re-exec pattern: scripts under testdata/script call `failover`,
// and tests that spawn the CLI themselves (crash tests) run os.Args[0]
// with FAILOVER_TEST_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("FAILOVER_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	testscript.Main(m, map[string]func(){
		"failover": func() { os.Exit(run(os.Args[1:])) },
	})
}

// TestScripts runs the CLI scripts under testdata/script: each is a
// session an operator could type, with the exact output expected.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") == "1",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FAILOVER_STATE_DIR", env.WorkDir+"/state")
			return nil
		},
	})
}
