package lab

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// The file-system fault kinds. They act on the lab's folders (through the
// path map), so that both the simulated SQL Server and the file steps of
// a plan (fs.copy, run on this machine) meet them. AddFault applies one at
// once and ClearFaults undoes it; a running lab drives the ones that
// change over time. What each really does, and what it cannot do, is in
// its description (fault list) and in docs/lab.md.
const (
	// FaultShareGone: the folder (default: the share) is unreachable: the
	// lab moves it away. RESTORE: 3201, OS error 53 for a share (3 for a
	// drive); file steps find no folder.
	FaultShareGone FaultKind = "share-gone"
	// FaultShareHang: the folder hangs. RESTORE waits Delay (the SMB
	// timeout), then 3201 with OS error 121; on Unix each file becomes a
	// FIFO, so a program that opens one blocks (until its own timeout, or
	// until the fault is cleared, then it reads nothing).
	FaultShareHang FaultKind = "share-hang"
	// FaultFileGrowing: a backup still being written: the file (default:
	// the newest log backup on the share) is cut to a third and grows
	// back to its full size over Delay while the lab runs.
	FaultFileGrowing FaultKind = "file-growing"
	// FaultFileLocked: the file is open in another process. RESTORE: 3201,
	// OS error 32; on Unix, opening it fails (ELOOP: the name is a link to
	// itself), standing in for Windows' sharing violation.
	FaultFileLocked FaultKind = "file-locked"
	// FaultFileVanish: the file disappears mid-copy: on Linux the first
	// time a program opens it (the lab cuts it to half and deletes it), or
	// Delay after the fault was added.
	FaultFileVanish FaultKind = "file-vanish"
	// FaultDiskFull: the folder (default: the copy folder) has Free bytes
	// left: writes beyond fail with ENOSPC (Linux: a size-limited tmpfs in
	// a user namespace stands in for the folder).
	FaultDiskFull FaultKind = "disk-full"
	// FaultLivePrimary: the primary is alive and keeps writing log
	// backups to the share, continuing the LSN chain: every Delay, or on
	// each statement that matches Match (from Nth on); Times backups (-1:
	// until cleared).
	FaultLivePrimary FaultKind = "live-primary"
)

// fileKinds are the file-system kinds in the order of the docs.
var fileKinds = []FaultKind{FaultShareGone, FaultShareHang, FaultFileGrowing, FaultFileLocked,
	FaultFileVanish, FaultDiskFull, FaultLivePrimary}

// IsFile reports whether k is a file-system fault kind.
func (k FaultKind) IsFile() bool {
	for _, f := range fileKinds {
		if k == f {
			return true
		}
	}
	return false
}

func fileKindList() string {
	names := make([]string, len(fileKinds))
	for i, k := range fileKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// The defaults of the file-system faults' times.
const (
	defaultHang     = 30 * time.Second
	defaultGrowTime = 10 * time.Second
	defaultLiveStep = 5 * time.Second
)

// validateFile checks a file-system fault's fields: each kind takes only
// the fields it uses.
func (f Fault) validateFile() error {
	switch {
	case f.Instance != "":
		return fmt.Errorf("instance %q does not go with kind %s: file-system faults act on folders, not instances", f.Instance, f.Kind)
	case f.Error != 0:
		return fmt.Errorf("error %d goes with kind error, not %s", f.Error, f.Kind)
	case f.Delay < 0 || f.Free < 0:
		return fmt.Errorf("delay and free must not be negative")
	case f.Free != 0 && f.Kind != FaultDiskFull:
		return fmt.Errorf("free goes with kind disk-full, not %s", f.Kind)
	case f.Kind == FaultLivePrimary:
		return f.validateLive()
	case f.Match != "" || f.Nth != 0 || f.Times != 0:
		return fmt.Errorf("match, nth and times go with statement faults and live-primary, not %s", f.Kind)
	case f.Delay != 0 && (f.Kind == FaultShareGone || f.Kind == FaultFileLocked || f.Kind == FaultDiskFull):
		return fmt.Errorf("delay does not go with kind %s", f.Kind)
	}
	return nil
}

func (f Fault) validateLive() error {
	if f.Nth < 0 || f.Times < -1 {
		return errors.New("nth must be >= 1 and times >= 1 or -1")
	}
	if f.Match == "" {
		if f.Nth != 0 {
			return errors.New("nth goes with match: without it the primary writes a backup every delay")
		}
		return nil
	}
	if f.Delay != 0 {
		return fmt.Errorf("delay %s does not go with match: the primary writes a backup on each matching statement", f.Delay)
	}
	if _, err := regexp.Compile("(?i)" + f.Match); err != nil {
		return fmt.Errorf("compile match %q: %w", f.Match, err)
	}
	return nil
}

// delayOr is the fault's delay, or def when it has none.
func (f Fault) delayOr(def time.Duration) time.Duration {
	if f.Delay > 0 {
		return f.Delay
	}
	return def
}

// fileString describes a file-system fault for `failover-lab fault list`:
// what it acts on and what it does.
func (f Fault) fileString() string {
	path := f.Path
	if path == "" {
		path = "(default)"
	}
	return fmt.Sprintf("%s: %s %s: %s", f.ID, f.Kind, path, f.Describe())
}

// Describe says what a fault does, in the words of `fault list`.
func (f Fault) Describe() string {
	switch f.Kind {
	case FaultShareGone:
		return "the folder is unreachable (moved away by the lab); RESTORE gets 3201 with OS error 53 for a share, 3 for a drive; file steps find no folder"
	case FaultShareHang:
		return fmt.Sprintf("the folder hangs: RESTORE waits %s, then 3201 with OS error 121; on Unix its files are FIFOs, so a program that opens one blocks until its own timeout or until the fault is cleared (listing and stat do not block)",
			f.delayOr(defaultHang))
	case FaultFileGrowing:
		return fmt.Sprintf("a backup still being written: cut to a third, it grows back to its full size over %s while the lab runs (HEADERONLY: 3203 until then; a copy sees size and time change)",
			f.delayOr(defaultGrowTime))
	case FaultFileLocked:
		return "the file is open in another process: RESTORE gets 3201 with OS error 32; on Unix opening it fails (ELOOP, the name links to itself), standing in for a sharing violation"
	case FaultFileVanish:
		if f.Delay > 0 {
			return fmt.Sprintf("the file disappears %s after the fault was added (cut to half, then deleted)", f.Delay)
		}
		return "the file disappears the first time a program opens it (Linux: the lab watches with inotify, cuts it to half and deletes it; the reader gets a short file or finds it gone)"
	case FaultDiskFull:
		return fmt.Sprintf("the folder has %d bytes left: a write beyond fails with ENOSPC (Linux: a size-limited tmpfs in a user namespace stands in for it)", f.Free)
	case FaultLivePrimary:
		return f.describeLive()
	}
	return ""
}

func (f Fault) describeLive() string {
	n := "until cleared"
	if f.Times > 0 {
		n = fmt.Sprintf("%d of them", f.Times)
	}
	if f.Match == "" {
		return fmt.Sprintf("the primary keeps writing log backups to the folder, one every %s, continuing the LSN chain (%s)", f.delayOr(defaultLiveStep), n)
	}
	if f.Times == 0 {
		n = "once"
	}
	return fmt.Sprintf("the primary writes the next log backup to the folder on each statement matching /%s/ from match %d on (%s)", f.Match, max(f.Nth, 1), n)
}

// fileFaults is what the simulated SQL Server knows of the file-system
// faults in force: their targets, read from their state in the lab dir.
type fileFaults struct {
	mu   sync.Mutex
	list []fileFaultState // guarded by mu
}

// set replaces the faults in force.
func (ff *fileFaults) set(list []fileFaultState) {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	ff.list = list
}

// check returns the fault in force on a file the SQL Server opens: a
// gone or hanging folder that holds it, or a lock on it.
func (ff *fileFaults) check(local string) (fileFaultState, bool) {
	if ff == nil {
		return fileFaultState{}, false
	}
	ff.mu.Lock()
	defer ff.mu.Unlock()
	for _, st := range ff.list {
		switch st.Kind {
		case FaultShareGone, FaultShareHang:
			if within(st.Local, local) {
				return st, true
			}
		case FaultFileLocked:
			if st.Local == local {
				return st, true
			}
		}
	}
	return fileFaultState{}, false
}

// fileFault is what a file-system fault does to a RESTORE that opens dev;
// abort: the request was cancelled while the share hung.
func (x *stmtCtx) fileFault(dev device) (*sqlMsg, bool) {
	st, ok := x.in.files.check(dev.local)
	if !ok {
		return nil, false
	}
	x.logStmt("fault", effect{}, st.ID+": "+string(st.Kind)+" "+dev.name)
	var m sqlMsg
	switch st.Kind {
	case FaultShareGone:
		if st.UNC {
			m = msgCannotOpen(dev.name, osNetPathNotFound, "The network path was not found.")
		} else {
			m = msgCannotOpen(dev.name, osPathNotFound, "The system cannot find the path specified.")
		}
	case FaultShareHang:
		if !sleepCtx(x.ctx, st.Delay) {
			return nil, true
		}
		m = msgCannotOpen(dev.name, 121, "The semaphore timeout period has expired.")
	case FaultFileLocked:
		m = msgCannotOpen(dev.name, 32, "The process cannot access the file because it is being used by another process.")
	}
	return &m, false
}
