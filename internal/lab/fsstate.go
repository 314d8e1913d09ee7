package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// faultStateDir is the folder of the lab dir where each file-system
// fault in force keeps its state and what it took away (DIR/fault-state/ID),
// so that ClearFaults, Reset and a restarted lab can undo it.
const faultStateDir = "fault-state"

// faultLockFile serialises everything that applies, undoes or drives a
// file-system fault: the CLI's fault add and clear, and a running lab.
const faultLockFile = "fault-state.lock"

// fileFaultState is a file-system fault in force, as its state file keeps it.
type fileFaultState struct {
	ID   string    `json:"id"`
	Kind FaultKind `json:"kind"`
	// Local is the folder or file the fault acts on.
	Local string `json:"local"`
	// UNC: Local stands for a file share (OS error 53 when it is gone).
	UNC bool `json:"unc,omitempty"`
	// Delay is the fault's time (the hang, the growth, the vanishing).
	Delay   time.Duration `json:"delay,omitempty"`
	Applied time.Time     `json:"applied"`
	// Size is the whole file of file-growing; Written how much of it is
	// there (guarded by the fault lock).
	Size    int64 `json:"size,omitempty"`
	Written int64 `json:"written,omitempty"`
	// Done: file-growing is complete, file-vanish has vanished.
	Done bool `json:"done,omitempty"`
	// Names are the files share-hang replaced by FIFOs.
	Names []string `json:"names,omitempty"`
	// Holder is the process that holds disk-full's tmpfs, mounted at
	// Mount in its own mount namespace.
	Holder int    `json:"holder,omitempty"`
	Mount  string `json:"mount,omitempty"`
	// NotSimulated says what this machine cannot do of the fault.
	NotSimulated string `json:"not_simulated,omitempty"`
}

// faultDir is the folder of a fault's state and saved files.
func faultDir(dir, id string) string { return filepath.Join(dir, faultStateDir, id) }

// origPath is where a fault keeps what it took from Local.
func (st fileFaultState) origPath(dir string) string {
	return filepath.Join(faultDir(dir, st.ID), "orig")
}

func writeFaultState(dir string, st fileFaultState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode fault state %s: %w", st.ID, err)
	}
	return writeAtomic(filepath.Join(faultDir(dir, st.ID), "state.json"), append(b, '\n'))
}

// readFaultState reads one fault's state; ok is false when it has none.
func readFaultState(dir, id string) (st fileFaultState, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(faultDir(dir, id), "state.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("read fault state %s: %w", id, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, false, fmt.Errorf("decode fault state %s: %w", id, err)
	}
	return st, true, nil
}

// faultStates reads the state of every fault in force, in ID order; a
// state that cannot be read is skipped (it is reported when undone).
func faultStates(dir string) []fileFaultState {
	entries, err := os.ReadDir(filepath.Join(dir, faultStateDir))
	if err != nil {
		return nil
	}
	var out []fileFaultState
	for _, e := range entries {
		if st, ok, err := readFaultState(dir, e.Name()); err == nil && ok {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// withFaultLock runs fn holding the lab dir's fault lock.
func withFaultLock(dir string, fn func() error) error {
	if err := os.MkdirAll(filepath.Join(dir, faultStateDir), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", faultStateDir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, faultLockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open fault lock: %w", err)
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	defer unlockFile(f)
	return fn()
}

// FaultNote says how a file-system fault in the lab dir stands, for
// `failover-lab fault list`: not applied yet, how far a growing file is,
// whether a file vanished, what this machine does not simulate of it. It
// is "" for a fault that is simply in force, and for statement faults.
func FaultNote(dir string, f Fault) string {
	if !f.Kind.IsFile() {
		return ""
	}
	st, ok, err := readFaultState(dir, f.ID)
	switch {
	case err != nil:
		return err.Error()
	case !ok:
		return "not applied yet (a running lab applies it)"
	}
	var notes []string
	switch {
	case st.Kind == FaultFileGrowing && st.Done:
		notes = append(notes, "complete")
	case st.Kind == FaultFileGrowing && st.Size > 0:
		notes = append(notes, fmt.Sprintf("%d%% written", st.Written*100/st.Size))
	case st.Kind == FaultFileVanish && st.Done:
		notes = append(notes, "vanished")
	}
	if st.NotSimulated != "" {
		notes = append(notes, "not simulated here: "+st.NotSimulated)
	}
	return strings.Join(notes, "; ")
}
