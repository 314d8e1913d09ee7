package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// RunInfo describes one run found in a state dir.
type RunInfo struct {
	Plan   string
	RunID  string
	Path   string
	Header Header
	// Records is how many good records the journal holds.
	Records int
	// Last is the last good record; its Time is the run's last activity
	// (the header's Started when there is no record yet).
	Last *Record
	// LastTime is the time of the last record, or the start of the run.
	LastTime time.Time
	// Damage is the journal's bad tail, if any (not repaired by listing).
	Damage *Damage
	// Err is why the journal could not be read; the other runs are still
	// listed.
	Err error
}

// List returns every run in stateDir, sorted by plan and then run id
// (oldest first). A missing state dir holds no runs. A journal that cannot
// be read is listed with its Err; listing never repairs anything.
func List(stateDir string) ([]RunInfo, error) {
	return listFS(OSFS{}, stateDir, "")
}

// ListPlan returns the runs of one plan in stateDir, oldest first.
func ListPlan(stateDir, plan string) ([]RunInfo, error) {
	return listFS(OSFS{}, stateDir, plan)
}

// ListFS is List through fsys.
func ListFS(fsys FS, stateDir string) ([]RunInfo, error) {
	return listFS(fsys, stateDir, "")
}

// ListPlanFS is ListPlan through fsys.
func ListPlanFS(fsys FS, stateDir, plan string) ([]RunInfo, error) {
	return listFS(fsys, stateDir, plan)
}

func listFS(fsys FS, stateDir, plan string) ([]RunInfo, error) {
	plans := []string{plan}
	if plan == "" {
		var err error
		if plans, err = subdirs(fsys, stateDir); err != nil {
			return nil, err
		}
	}
	var runs []RunInfo
	for _, p := range plans {
		rs, err := listPlanDir(fsys, stateDir, p)
		if err != nil {
			return nil, err
		}
		runs = append(runs, rs...)
	}
	SortRuns(runs)
	return runs, nil
}

func subdirs(fsys FS, dir string) ([]string, error) {
	entries, err := fsys.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list state dir %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func listPlanDir(fsys FS, stateDir, plan string) ([]RunInfo, error) {
	dir := filepath.Join(stateDir, plan)
	entries, err := fsys.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list runs of %s: %w", plan, err)
	}
	var runs []RunInfo
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), Extension)
		if !ok || e.IsDir() || !ValidRunID(id) {
			continue // kept .torn- copies, the lock, anything else
		}
		runs = append(runs, describe(fsys, plan, id, filepath.Join(dir, e.Name())))
	}
	return runs, nil
}

func describe(fsys FS, plan, id, path string) RunInfo {
	rp, err := Read(fsys, path)
	return Describe(plan, id, path, rp, err)
}

// Describe lists a run from what reading its journal (named path) gave.
func Describe(plan, id, path string, rp *Replay, err error) RunInfo {
	ri := RunInfo{Plan: plan, RunID: id, Path: path, Err: err}
	if rp == nil {
		return ri
	}
	ri.Header, ri.Records, ri.Damage = rp.Header, len(rp.Records), rp.Damage
	ri.LastTime = rp.Header.Started
	if n := len(rp.Records); n > 0 {
		ri.Last = &rp.Records[n-1]
		ri.LastTime = ri.Last.Time
	}
	return ri
}

// SortRuns sorts runs by plan, then run id (oldest first), as List does.
func SortRuns(runs []RunInfo) {
	sort.Slice(runs, func(i, j int) bool {
		if runs[i].Plan != runs[j].Plan {
			return runs[i].Plan < runs[j].Plan
		}
		return runs[i].RunID < runs[j].RunID
	})
}
