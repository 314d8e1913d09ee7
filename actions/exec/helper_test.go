package exec

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/proctest"
)

// helperEnv selects what the test binary does when a test re-executes it
// as the program under test (the standard re-exec pattern: no shell
// scripts, so the tests run the same on every OS).
const helperEnv = "FAILOVER_EXEC_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helperMain(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// helperMain is the helper program. Its args follow the mode.
func helperMain(mode string, args []string) int {
	switch mode {
	case "echo": // each arg on stdout, then "warning" on stderr
		for _, a := range args {
			fmt.Println(a)
		}
		fmt.Fprintln(os.Stderr, "warning")
		return 0
	case "env": // the named variable and the working directory
		wd, _ := os.Getwd()
		fmt.Println(os.Getenv(args[0]))
		fmt.Println(wd)
		return 0
	case "exit": // stderr lines, then the exit code in args[0]
		code, _ := strconv.Atoi(args[0])
		for _, l := range args[1:] {
			fmt.Fprintln(os.Stderr, l)
		}
		return code
	case "lines": // args[0] numbered lines on stdout
		n, _ := strconv.Atoi(args[0])
		for i := 1; i <= n; i++ {
			fmt.Printf("line %06d\n", i)
		}
		return 0
	case "sleep":
		time.Sleep(proctest.Life)
		return 0
	case "tree": // start a heartbeat grandchild; exit at once if args[1] is "exit"
		if err := proctest.StartHeartbeat(helperEnv+"=heartbeat", args[0]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if len(args) > 1 && args[1] == "exit" {
			return 0
		}
		time.Sleep(proctest.Life)
		return 0
	case "heartbeat": // append a byte to args[0] every 10ms
		return proctest.Heartbeat(args[0])
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

// run, check and validate call the types' abilities as the engine does.
func run(ctx context.Context, env *actions.Env, p *Params) (map[string]any, error) {
	return runner{}.Run(ctx, env, p)
}

func check(ctx context.Context, env *actions.Env, p *Params) (bool, string, error) {
	r, err := checker{}.Check(ctx, env, p)
	return r.OK, r.Detail, err
}

func validate(p *Params) error { return common{}.Validate(p) }
