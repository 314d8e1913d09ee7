package exec

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/proc"
)

// runCommand runs the program to its end (see proc.Run): a non-zero
// exit is a result, not an error.
func runCommand(ctx context.Context, env *actions.Env, p *Params) (*proc.Result, error) {
	if err := checkDir(p.Dir); err != nil {
		return nil, actions.MarkPermanent(err)
	}
	return proc.Run(ctx, &proc.Command{
		Program: p.Program, Args: p.Args, Dir: p.Dir, Env: mergeEnv(os.Environ(), p.Env),
		Log: env.Log, Redact: env.Redact, MaxOutput: p.MaxOutput, Started: env.RecordProcess,
	})
}

// checkDir fails unless dir is empty or an existing directory. The
// start error would say less, and differently on each OS.
func checkDir(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("use working directory: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("use working directory %s: not a directory", dir)
	}
	return nil
}

// mergeEnv returns base with the overrides applied, or nil (inherit
// the environment unchanged) when there are none. Keys are applied in
// sorted order so the result is deterministic.
func mergeEnv(base []string, overrides map[string]string) []string {
	if len(overrides) == 0 {
		return nil
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := append([]string(nil), base...)
	for _, k := range keys {
		out = append(out, k+"="+overrides[k])
	}
	return out
}
