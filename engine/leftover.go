package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/internal/proc"
)

// leftover is a process tree an earlier run of a step started, whose
// attempt has no outcome, and that may still be running.
type leftover struct {
	StepProcess
	// elsewhere: it ran on another host, where failover cannot look.
	elsewhere bool
	// leaderGone: its group lives on without the program that led it.
	leaderGone bool
}

// leftovers lists the step's process trees that still run: those of its
// last attempt, if that attempt never ended (failover was killed).
func (r *run) leftovers(rec *StepRecord) []leftover {
	last := rec.LastAttempt()
	if len(rec.History) == 0 || !last.Ended.IsZero() {
		return nil
	}
	var out []leftover
	for _, p := range rec.Processes {
		if p.Attempt != last.N || p.Killed {
			continue
		}
		if p.Host != "" && p.Host != r.cfg.Host {
			out = append(out, leftover{StepProcess: p, elsewhere: true})
			continue
		}
		alive, leaderGone := proc.Alive(processInfo(p.Process))
		if alive {
			out = append(out, leftover{StepProcess: p, leaderGone: leaderGone})
		}
	}
	return out
}

func processInfo(p journal.Process) actions.ProcessInfo {
	return actions.ProcessInfo{PID: p.PID, Group: p.Group, Command: p.Command, Start: p.Start}
}

// settleLeftovers handles the steps whose last attempt left programs
// running when failover died. With --kill-leftovers they are ended (and
// the ending journaled); otherwise each such step goes to the operator
// and is never started again beside its leftover, however idempotent.
// A program on another host, where failover cannot look (its state is
// shared: the host that ran it may be gone), is taken as ended only on
// the operator's word: the step named with --retry or --mark-done
// (journaled, with the note). It returns the questions for the operator
// and their steps.
func (r *run) settleLeftovers(rs *RunState, vouched []string) (asks, ids []string, err error) {
	for _, s := range r.plan.Steps {
		rec := rs.Steps[s.ID]
		if rec == nil {
			continue
		}
		left := r.leftovers(rec)
		if len(left) == 0 {
			continue
		}
		if allElsewhere(left) && (contains(vouched, s.ID) || decidedSince(rec)) {
			for _, l := range left {
				r.log.Warn().Str("step", s.ID).Str("host", l.Host).Int("pid", l.PID).Str("command", l.Command).
					Msg("a program an earlier run of the step started on another host is taken as ended, on the operator's word")
			}
			continue
		}
		if !r.cfg.KillLeftovers || anyElsewhere(left) {
			asks = append(asks, r.leftoverText(s.ID, left))
			ids = append(ids, s.ID)
			continue
		}
		if err := r.killLeftovers(s.ID, left); err != nil {
			return nil, nil, err
		}
	}
	return asks, ids, nil
}

// decidedSince reports whether the operator decided the step (--retry,
// --mark-done, journaled) since its last attempt started: the word that
// its programs on another host have ended was given then.
func decidedSince(rec *StepRecord) bool {
	last := rec.LastAttempt().N
	for _, d := range rec.Decisions {
		if last > 0 && d.Attempt >= last {
			return true
		}
	}
	return false
}

func allElsewhere(left []leftover) bool {
	for _, l := range left {
		if !l.elsewhere {
			return false
		}
	}
	return true
}

func anyElsewhere(left []leftover) bool {
	for _, l := range left {
		if l.elsewhere {
			return true
		}
	}
	return false
}

// leftoversOrWait settles the leftovers of the dead run: it ends them with
// --kill-leftovers, and otherwise, when there are any, ends the resume
// waiting for the operator (exit 3), every such step named.
// vouched are the steps the operator decided (--retry, --mark-done).
func (r *run) leftoversOrWait(rs *RunState, vouched []string) error {
	asks, ids, err := r.settleLeftovers(rs, vouched)
	if err != nil || len(asks) == 0 {
		return err
	}
	if _, err := r.jw.AppendSync(journal.Record{Type: RecRunFinished, End: &journal.RunEnd{State: RunWaiting}}); err != nil {
		return fmt.Errorf("journal end of run: %w", err)
	}
	return &WaitingError{Step: ids[0], Reason: "leftover", Message: strings.Join(asks, "\n\n")}
}

// killLeftovers ends a step's leftover trees, waits until they are gone,
// and journals each.
func (r *run) killLeftovers(stepID string, left []leftover) error {
	for _, l := range left {
		info := processInfo(l.Process)
		if err := proc.KillTree(info); err != nil {
			return cannotRun(fmt.Errorf("end the program step %s left running (pid %d): %w", stepID, l.PID, err))
		}
		if !r.waitGone(info) {
			return cannotRun(fmt.Errorf("the program step %s left running (pid %d, group %d) did not end after SIGKILL", stepID, l.PID, l.Group))
		}
		r.log.Warn().Str("step", stepID).Int("pid", l.PID).Str("command", l.Command).Msg("ended a program an earlier run of the step left running (--kill-leftovers)")
		rec := journal.Record{Type: RecLeftoverKilled, Step: stepID, User: r.cfg.User, Attempt: l.Attempt, Process: &l.Process}
		if _, err := r.jw.AppendSync(rec); err != nil {
			return fmt.Errorf("journal the ended leftover of step %s: %w", stepID, err)
		}
	}
	return nil
}

// waitGone waits until a killed tree has no process left, for at most a
// few seconds of the run's clock.
func (r *run) waitGone(p actions.ProcessInfo) bool {
	for range 500 {
		if alive, _ := proc.Alive(p); !alive {
			return true
		}
		// A killed group disappears as soon as its processes are reaped.
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// leftoverText tells the operator which program of the step still runs
// and the ways on.
func (r *run) leftoverText(id string, left []leftover) string {
	var b strings.Builder
	fmt.Fprintf(&b, "step %s (%s) is in doubt, and a program its last attempt started is still running:\n", id, r.plan.Step(id).Action)
	for _, l := range left {
		switch {
		case l.elsewhere:
			fmt.Fprintf(&b, "  on host %s (failover cannot look there): pid %d, %s\n", l.Host, l.PID, l.Command)
		case l.leaderGone:
			fmt.Fprintf(&b, "  process group %d (its first program, pid %d, has ended; others of its group run): %s\n", l.Group, l.PID, l.Command)
		default:
			fmt.Fprintf(&b, "  pid %d (process group %d): %s\n", l.PID, l.Group, l.Command)
		}
	}
	fmt.Fprintf(&b, "  It may still be doing the step's work: it is never run again beside it. ")
	if allElsewhere(left) {
		fmt.Fprintf(&b, "Check on that host that it has ended\n")
		fmt.Fprintf(&b, "  (or that the host is down), and what it did; then resume with --retry %s or --mark-done %s --note \"…\":\n", id, id)
		fmt.Fprintf(&b, "  journaled, your word is taken that it has ended.")
		return b.String()
	}
	fmt.Fprintf(&b, "Let it finish, or end it with\n")
	fmt.Fprintf(&b, "      failover resume %s --kill-leftovers\n", r.planArg())
	fmt.Fprintf(&b, "  then check what it did and resume with --retry %s or --mark-done %s.", id, id)
	return b.String()
}
