package main

import (
	"fmt"
	"os"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// reportSource is the journal a report reads and the plan file named
// on the command line, if any.
type reportSource struct {
	path string
	// planFile is the plan given as the argument ("" when a run id, a
	// journal file or a plan name was given), and plan that file as
	// loaded.
	planFile string
	plan     *plans.Plan
}

// reportSource finds the journal of arg: a run id, a journal file, a
// plan file or a plan name (their latest run, or --run).
func (a *app) reportSource(arg string, f *reportFlags) (reportSource, error) {
	b, err := a.state()
	if err != nil {
		return reportSource{}, err
	}
	_, lerr := b.Locate(arg)
	byRun := journal.ValidRunID(arg) || isJournalFile(arg) || lerr == nil
	if f.run != "" && byRun {
		return reportSource{}, withCode(exitUsage, fmt.Errorf("--run goes with a plan; %s already names a run", arg))
	}
	if f.run != "" && !journal.ValidRunID(f.run) {
		return reportSource{}, withCode(exitUsage, fmt.Errorf("--run %q is not a run id (e.g. 20261126T031500Z-3f9a)", f.run))
	}
	if byRun {
		path, err := journalPath(b, arg)
		return reportSource{path: path}, err
	}
	name, src := arg, reportSource{}
	if _, err := os.Stat(arg); err == nil {
		p, err := a.loadPlan(arg, &f.vars)
		if err != nil {
			return reportSource{}, err
		}
		name, src.planFile, src.plan = p.Name, arg, p
	} else if looksLikeFile(arg) {
		return reportSource{}, withCode(exitUsage, fmt.Errorf("plan file %s: %w", arg, err))
	}
	if f.run != "" {
		info, err := findRunByID(b, f.run)
		if err == nil && info.Plan != name {
			err = withCode(exitUsage, fmt.Errorf("run %s is a run of plan %s, not of %s", f.run, info.Plan, name))
		}
		src.path = info.Path
		return src, err
	}
	info, err := latestRun(b, name)
	if err != nil && src.planFile == "" && !plansName(name) {
		return reportSource{}, planArgError(arg)
	}
	src.path = info.Path
	return src, err
}

// plansName reports whether s could be a plan's name.
func plansName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

// reportPlan loads the plan the run ran, to add its descriptions, rto
// budgets and previews: the plan file given, else the one the journal
// names. It is used only when its hash is one the run ran with (the
// hash at apply, or after a resume --force); otherwise the note says
// why not.
func (a *app) reportPlan(src reportSource, rs *engine.RunState, vf *varFlags) (*plans.Plan, string) {
	file, p := src.planFile, src.plan
	if p == nil {
		file = rs.Header.PlanFile
		if file == "" {
			return nil, "the journal names no plan file"
		}
		if _, err := os.Stat(file); err != nil {
			return nil, fmt.Sprintf("plan file %s, which the run was started with, is not there (%v); give the plan file: "+
				"failover report PLAN --run %s", file, err, rs.Header.RunID)
		}
		var diags plans.Diagnostics
		p, diags = plans.Load(file, vf.options(a))
		if p == nil || diags.HasErrors() {
			return nil, fmt.Sprintf("plan file %s does not load now (%d error(s); `failover validate %s` shows them)", file, countErrors(diags), file)
		}
	}
	if !ranWith(rs, p.Hash) {
		return nil, fmt.Sprintf("plan file %s is not the plan the run ran (its hash %s, the run's %s): it changed since, "+
			"or the run was given other --var or --vars-file values; give the same ones here", file, short(p.Hash), short(lastHash(rs)))
	}
	return p, ""
}

// ranWith reports whether the run ran a plan of this hash: at apply, or
// after a resume --force.
func ranWith(rs *engine.RunState, hash string) bool {
	if hash == rs.Header.PlanHash {
		return true
	}
	for _, pc := range rs.PlanChanges {
		if pc.NewHash == hash {
			return true
		}
	}
	return false
}

// lastHash is the hash of the plan the run last ran.
func lastHash(rs *engine.RunState) string {
	if n := len(rs.PlanChanges); n > 0 {
		return rs.PlanChanges[n-1].NewHash
	}
	return rs.Header.PlanHash
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
