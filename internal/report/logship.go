package report

import (
	"fmt"
	"time"
)

// applyAction is the action whose outputs name the log backups applied.
const applyAction = "logship.apply"

// logBackups reads what each logship.apply step with outputs reported
// (their names are logship.apply's declared outputs).
func logBackups(steps []Step) []LogBackup {
	var out []LogBackup
	for _, s := range steps {
		if s.Action != applyAction || s.Outputs == nil {
			continue
		}
		o := s.Outputs
		lb := LogBackup{Step: s.ID, FilesApplied: intOr(o["files_applied"], -1), Applied: stringList(o["applied"]),
			LastLSN: str(o["last_lsn"]), LastFile: str(o["last_file"]), FinishText: str(o["last_backup_finish"]),
			FilesSkipped: intOr(o["files_skipped"], 0), Skipped: stringList(o["skipped"]), Gap: str(o["gap"]),
			StepWindow: str(o["data_loss_window"])}
		if t, err := time.Parse(time.RFC3339, lb.FinishText); err == nil {
			lb.LastFinish = t.UTC()
		}
		out = append(out, lb)
	}
	return out
}

// lossWindow is the time from the last applied log backup's finish to
// the run's start: what the failover lost at least.
func lossWindow(started time.Time, lbs []LogBackup) LossWindow {
	var best *LogBackup
	for i := range lbs {
		if !lbs[i].LastFinish.IsZero() && (best == nil || lbs[i].LastFinish.After(best.LastFinish)) {
			best = &lbs[i]
		}
	}
	if best == nil {
		return LossWindow{Why: lossUnknown(lbs)}
	}
	return LossWindow{Known: true, Window: started.Sub(best.LastFinish), Finish: best.LastFinish, Step: best.Step, File: best.LastFile}
}

// lossUnknown says why the window is not known.
func lossUnknown(lbs []LogBackup) string {
	if len(lbs) == 0 {
		return "no " + applyAction + " step of this run journaled its outputs: no log backup is known to be applied"
	}
	lb := lbs[len(lbs)-1]
	why := fmt.Sprintf("step %s did not say when the last log backup it applied finished", lb.Step)
	if lb.StepWindow != "" {
		why += " (" + lb.StepWindow + ")"
	}
	return why
}

// Piece is a part of a sentence: words of the report, or Code, text a
// program or person wrote (a file name, an error), shown as such.
type Piece struct {
	Text string
	Code bool
}

// LossText says the data-loss window in a sentence.
func LossText(w LossWindow, started time.Time) []Piece {
	if !w.Known {
		return []Piece{{Text: "unknown: " + w.Why}}
	}
	file := []Piece{{Text: "the last log backup applied"}}
	if w.File != "" {
		file = append(file, Piece{Text: " ("}, Piece{Text: w.File, Code: true}, Piece{Text: ")"})
	}
	if w.Window <= 0 {
		return append(append([]Piece{{Text: "none measured: "}}, file...),
			Piece{Text: fmt.Sprintf(" finished at %s, after the run started at %s", Time(w.Finish), Time(started))})
	}
	return append(append([]Piece{{Text: Duration(w.Window) + ": "}}, file...), Piece{Text: fmt.Sprintf(
		", by step %s, finished at %s; the run started at %s. Changes made on the primary after that backup are not in the database.",
		w.Step, Time(w.Finish), Time(started))})
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// intOr reads a journaled number (int64, or float64 when it had a
// fraction), or def.
func intOr(v any, def int64) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case int:
		return int64(x)
	}
	return def
}

// stringList reads a journaled list as strings.
func stringList(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, str(e))
	}
	return out
}

// latest returns the later of two times (a zero one loses).
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
