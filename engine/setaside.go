package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/store"
)

// RecRunSetAside records, in a new run, the unfinished run the operator
// set aside to start afresh (apply --new-run): which run, why it could not
// be continued, how the operator confirmed, and where its journal is kept
// (SetAside).
const RecRunSetAside = "run-set-aside"

// setAsideSuffix is added to the journal of a run set aside: the run is
// no longer listed, and its journal stays beside the others.
const setAsideSuffix = ".set-aside"

// SetAside names the unfinished run an operator confirmed to set aside
// for a new run of the plan.
type SetAside struct {
	RunID string
	// How the operator confirmed: "terminal", "standard input", "--yes".
	How string
}

// names reports whether a is set and names run id.
func (a *SetAside) names(id string) bool { return a != nil && a.RunID == id }

// RunAfresh is Run for `apply --new-run`: the plan's latest run, which
// must be unfinished and the one aside names, is set aside rather than
// refused, and a new run starts. Nothing is set aside unless the new run
// really starts (its lock taken, its preflight passed); the new run's
// journal then says which run it set aside, why and how confirmed, before
// the old journal is moved to <run>.journal.set-aside. The lock of that
// run, when its process is gone from this host, is taken over (journaled).
// A run whose process is alive, or whose lock another host holds, is not
// set aside.
func RunAfresh(ctx context.Context, cfg Config, aside SetAside) (*Summary, error) {
	if !journal.ValidRunID(aside.RunID) {
		return nil, cannotRun(fmt.Errorf("--new-run: %q is not a run id", aside.RunID))
	}
	return startRun(ctx, cfg, &aside)
}

// Unfinished returns the plan's latest run when it is not finished (nil
// when there is none), with what stops it: what `apply --new-run` asks
// the operator about before setting it aside.
func Unfinished(cfg Config) (*journal.RunInfo, string, error) {
	cfg = cfg.withDefaults()
	if err := checkConfig(cfg); err != nil {
		return nil, "", err
	}
	last, unfinished, err := latestUnfinished(cfg)
	if err != nil || !unfinished {
		return nil, "", err
	}
	return &last, stuckText(cfg, last), nil
}

// stuckText says, in a line, why a run stands unfinished.
func stuckText(cfg Config, ri journal.RunInfo) string {
	var he *journal.HeaderError
	var ce *journal.CorruptError
	switch {
	case errors.As(ri.Err, &he):
		return fmt.Sprintf("its journal's header is damaged at offset %d: %s", he.Offset, he.Reason)
	case errors.As(ri.Err, &ce):
		return fmt.Sprintf("its journal is corrupt at offset %d: %s", ce.Offset, ce.Reason)
	case ri.Err != nil:
		return "journal unreadable: " + strings.SplitN(ri.Err.Error(), "\n", 2)[0]
	}
	if s := syncedOf(cfg.State, ri, nil); uint64(ri.Records) < s.Seq() {
		return fmt.Sprintf("its journal was cut short: it holds %d records, but %s", ri.Records, s)
	}
	return describeLast(ri)
}

// setAsideRecord is the new run's record of the run it sets aside.
func (r *run) setAsideRecord(old journal.RunInfo, aside *SetAside, keptAs string) journal.Record {
	n := old.Records
	if rs, _ := r.cfg.State.Rescue(old.Path); rs != nil {
		n = len(rs.Records) // its header is damaged: the records found past it
	}
	return journal.Record{Type: RecRunSetAside, User: r.cfg.User, SetAside: &journal.SetAside{RunID: old.RunID,
		Reason: stuckText(r.cfg, old), How: aside.How, KeptAs: keptAs, Records: n}}
}

// moveAside moves the journal of a run set aside out of the plan's runs.
// The new run's journal already says so; a failure only warns: the new
// run is the plan's latest either way.
func (r *run) moveAside(old journal.RunInfo, keptAs string) {
	// Its sync mark goes with it: `journal dump` of the kept journal
	// still tells whether it was cut short.
	switch err := r.cfg.State.SetAside(old.Path, keptAs); {
	case errors.Is(err, store.ErrMarkNotMoved):
		r.log.Warn().Err(err).Msg("could not move the sync mark of the run set aside")
	case err != nil:
		r.log.Warn().Err(err).Str("journal", old.Path).Msg("could not move the journal of the run set aside; it stays where it is")
		return
	}
	r.log.Warn().Str("set_aside", old.RunID).Str("kept_as", keptAs).
		Msg("set the unfinished run aside, as confirmed; this new run starts afresh")
}
