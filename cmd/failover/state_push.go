package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
)

func newStateCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Move runs between a state dir and a shared store",
	}
	cmd.AddCommand(newStatePushCmd(a))
	return cmd
}

func newStatePushCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "push",
		Short: "Copy the runs of the state dir to the etcd store --state names",
		Long: "push copies every run of the local state dir (--state-dir) to the etcd store that --state\n" +
			"(or FAILOVER_STATE) names, so that status, report and resume on any host see them. The local\n" +
			"files stay as they are. It can be run again at any time: a run already there is left alone,\n" +
			"one copied in part (an earlier push cut short) is completed, and a different run under the\n" +
			"same id is refused, never overwritten. A run holding its plan's lock here (running) is not\n" +
			"pushed, nor one whose journal is damaged before its end (`failover journal repair` it first);\n" +
			"a torn last record is left out. Exit 1 when any run was not pushed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := a.state()
			if err != nil {
				return err
			}
			to, ok := b.(*etcdstore.Store)
			if !ok {
				return withCode(exitUsage, errors.New("state push copies the state dir to etcd: name the store with "+
					"--state etcd://host:2379/prefix (or FAILOVER_STATE)"))
			}
			return a.push(store.NewLocal(a.stateDir, nil), to)
		},
	}
}

// push imports every run of from into to, saying what became of each.
func (a *app) push(from *store.Local, to *etcdstore.Store) error {
	runs, err := from.List("")
	if err != nil {
		return withCode(exitFailed, err)
	}
	if len(runs) == 0 {
		fmt.Fprintf(a.stdout, "no runs in %s: nothing to push\n", from)
		return nil
	}
	failed := 0
	for _, ri := range runs {
		what, err := pushRun(from, to, ri)
		if err != nil {
			failed++
			fmt.Fprintf(a.stdout, "%s %s: not pushed: %v\n", ri.Plan, ri.RunID, err)
			continue
		}
		fmt.Fprintf(a.stdout, "%s %s: %s\n", ri.Plan, ri.RunID, what)
	}
	if failed > 0 {
		return withCode(exitFailed, fmt.Errorf("%d of %d run(s) not pushed to %s (see above)", failed, len(runs), to))
	}
	return nil
}

// pushRun imports one run and says what it did.
func pushRun(from *store.Local, to *etcdstore.Store, ri journal.RunInfo) (string, error) {
	if lockHeldBy(from, ri.Plan, ri.RunID) {
		return "", errors.New("it holds its plan's lock here, so it may be running: push it once it has stopped")
	}
	// Read once: the bytes pushed are the bytes parsed, and the damage
	// found is cut from them.
	img, err := from.ReadImage(ri.Path)
	if err != nil {
		return "", fmt.Errorf("read journal %s: %w", ri.Path, err)
	}
	rp, _, err := journal.Parse(ri.Path, img)
	if err != nil {
		return "", fmt.Errorf("%w; repair it first (`failover journal repair %s`)", err, ri.RunID)
	}
	note := ""
	if d := rp.Damage; d != nil {
		img = img[:d.Offset]
		note = fmt.Sprintf(" (its torn last record at offset %d left out)", d.Offset)
	}
	mark, _ := from.ReadMark(ri.Path)
	got, err := to.Import(ri.Plan, ri.RunID, img, mark)
	if err != nil {
		return "", err
	}
	n := len(rp.Records)
	switch got {
	case etcdstore.ImportedAlready:
		return "already there", nil
	case etcdstore.ImportedRest:
		return fmt.Sprintf("completed: %d record(s) in all%s", n, note), nil
	}
	return fmt.Sprintf("pushed: %d record(s)%s", n, note), nil
}
