package sqlserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/failover-dev/failover/actions"
)

// States are the database states db.state knows: sys.databases'
// state_desc, and STANDBY for ONLINE in standby.
var States = []string{"ONLINE", "RESTORING", "RECOVERING", "RECOVERY_PENDING", "SUSPECT", "EMERGENCY",
	"OFFLINE", "COPYING", "OFFLINE_SECONDARY", "STANDBY"}

// StateParams are the parameters of db.state.
type StateParams struct {
	Database string `param:"database,required" doc:"The database, e.g. mgc."`
	State    any    `param:"state,required" doc:"The state it must be in, or a list of states it may be in: ONLINE, RESTORING, RECOVERING, RECOVERY_PENDING, SUSPECT, EMERGENCY, OFFLINE, COPYING, OFFLINE_SECONDARY, or STANDBY (ONLINE and read-only between log restores; ONLINE means not in standby)."`
}

// stateCheck is db.state.
type stateCheck struct{}

func stateType() *actions.Type {
	return actions.Define[StateParams](actions.Type{
		Name: "db.state",
		Kind: actions.KindCheck,
		Doc: "Passes when the database exists and is in the given state, or in one of a list of states. " +
			"The detail says the state found and, while it is restoring, the LSN the next log backup must " +
			"start at (sys.master_files.redo_start_lsn). A database that does not exist fails the check.",
		Targets: []string{"sqlserver"},
	}, stateCheck{})
}

// Validate checks the database name and the states.
func (stateCheck) Validate(p *StateParams) error {
	if err := CheckName(p.Database); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	_, err := wantedStates(p.State)
	return err
}

// wantedStates reads state: one state or a list, upper-cased.
func wantedStates(v any) ([]string, error) {
	var list []string
	switch x := v.(type) {
	case string:
		list = []string{x}
	case []any:
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("state: item %d: want a state name, got %v", i+1, e)
			}
			list = append(list, s)
		}
	default:
		return nil, errors.New("state: want a state (RESTORING) or a list of states ([RESTORING, STANDBY])")
	}
	if len(list) == 0 {
		return nil, errors.New("state: the list is empty")
	}
	for i, s := range list {
		list[i] = strings.ToUpper(strings.TrimSpace(s))
		if !slices.Contains(States, list[i]) {
			return nil, fmt.Errorf("state: %q is not a database state (%s)", s, strings.Join(States, ", "))
		}
	}
	return list, nil
}

// Preview shows the query and the states wanted.
func (stateCheck) Preview(_ *actions.Env, p *StateParams) (string, error) {
	want, err := wantedStates(p.State)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("-- want %s in %s\n-- parameters: @db = %s\n%s\n", p.Database, strings.Join(want, " or "),
		Literal(p.Database), databaseStateQuery), nil
}

// Check reads the state once.
func (stateCheck) Check(ctx context.Context, env *actions.Env, p *StateParams) (actions.Result, error) {
	want, err := wantedStates(p.State)
	if err != nil {
		return actions.Result{}, actions.MarkPermanent(err)
	}
	pool, err := PoolOf(env)
	if err != nil {
		return actions.Result{}, err
	}
	st, err := ReadDatabaseState(ctx, pool.DB(), p.Database)
	if err != nil {
		return actions.Result{}, err
	}
	res := actions.Result{Outputs: st.Outputs(), Detail: st.String()}
	res.OK = st.Exists && slices.Contains(want, st.Effective())
	if !res.OK {
		res.Detail += ", want " + strings.Join(want, " or ")
	}
	return res, nil
}
