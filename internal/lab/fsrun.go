package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
)

// fileRun is a running lab's part in the file-system faults: it keeps
// the snapshot the SQL Server reads current, and drives what changes over
// time: a growing file, a file that vanishes, a live primary's backups.
type fileRun struct {
	dir    string
	cfg    Config
	faults *fileFaults
	log    *stmtLog
	opens  *openWatch // nil where the lab cannot see a file opened
	// primary is the instance with the backup job (LogBackups); set once
	// by Serve, nil in a lab without log shipping.
	primary *instance

	mu sync.Mutex
	// liveNext is when each time-driven live-primary fault writes next,
	// liveCount how many backups it wrote (in this process, as the
	// statement faults' counters); reported are messages already logged.
	liveNext  map[string]time.Time // guarded by mu
	liveCount map[string]int       // guarded by mu
	reported  map[string]bool      // guarded by mu
}

func newFileRun(dir string, cfg Config, log *stmtLog) *fileRun {
	r := &fileRun{dir: dir, cfg: cfg, faults: &fileFaults{}, log: log,
		liveNext: map[string]time.Time{}, liveCount: map[string]int{}, reported: map[string]bool{}}
	r.opens = newOpenWatch(r.vanishOpened)
	return r
}

// listed are the file-system faults the lab has: the config's and the
// faults file's.
func (r *fileRun) listed() []Fault {
	var out []Fault
	file, _ := ListFaults(r.dir)
	for _, f := range append(configFaults(r.cfg), file...) {
		if f.Kind.IsFile() {
			out = append(out, f)
		}
	}
	return out
}

// refresh reloads the snapshot the SQL Server reads (no lock: each state
// file is replaced atomically).
func (r *fileRun) refresh() { r.faults.set(faultStates(r.dir)) }

// tick brings the file system in line with the listed faults (applies
// one that has no state yet, undoes a state whose fault is gone, as after
// an edit of faults.yaml by hand) and drives the faults that change over
// time.
func (r *fileRun) tick(now time.Time) {
	err := withFaultLock(r.dir, func() error {
		listed := map[string]Fault{}
		for _, f := range r.listed() {
			listed[f.ID] = f
		}
		have := map[string]bool{}
		for _, st := range faultStates(r.dir) {
			if _, ok := listed[st.ID]; !ok {
				r.report(st.ID+"/undo", revertFileFault(r.dir, st.ID))
				continue
			}
			have[st.ID] = true
		}
		for id, f := range listed {
			if !have[id] {
				r.report(id+"/apply", applyFileFault(r.dir, r.cfg, &f, now))
			}
		}
		states := faultStates(r.dir)
		r.faults.set(states)
		for _, st := range states {
			r.drive(st, listed[st.ID], now)
		}
		r.opens.sync(states)
		return nil
	})
	r.report("lock", err)
}

// report writes an error to the statement log once per key.
func (r *fileRun) report(key string, err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	seen := r.reported[key]
	r.reported[key] = true
	r.mu.Unlock()
	if !seen {
		r.log.write("", 0, "fault", "file-system fault: "+err.Error())
	}
}

// drive moves one fault on; the caller holds the fault lock.
func (r *fileRun) drive(st fileFaultState, f Fault, now time.Time) {
	switch {
	case st.Kind == FaultFileGrowing && !st.Done:
		r.report(st.ID+"/grow", r.grow(st, now))
	case st.Kind == FaultFileVanish && !st.Done && st.Delay > 0 && !now.Before(st.Applied.Add(st.Delay)):
		r.report(st.ID+"/vanish", r.vanish(st))
	case st.Kind == FaultLivePrimary && f.Match == "":
		r.liveTick(st, f, now)
	}
}

// growth is how much of a growing file is written at elapsed: a third at
// once, the rest evenly over the fault's time.
func growth(size int64, elapsed, over time.Duration) int64 {
	if elapsed >= over || over <= 0 {
		return size
	}
	third := size / 3
	return third + (size-third)*int64(elapsed)/int64(over)
}

// grow appends to a growing file what the writer has written by now.
func (r *fileRun) grow(st fileFaultState, now time.Time) error {
	want := growth(st.Size, now.Sub(st.Applied), st.Delay)
	if want <= st.Written {
		return nil
	}
	whole, err := os.ReadFile(st.origPath(r.dir))
	if err != nil {
		return err
	}
	f, err := os.OpenFile(st.Local, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("grow %s: %w", st.Local, err)
	}
	_, werr := f.Write(whole[st.Written:want])
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("grow %s: %w", st.Local, werr)
	}
	st.Written, st.Done = want, want == st.Size
	if st.Done {
		r.log.write("", 0, "fault", st.ID+": file-growing "+filepath.Base(st.Local)+" is complete")
	}
	return writeFaultState(r.dir, st)
}

// vanish cuts the file to half, so a reader that has it open reads a
// short file, and deletes it. The caller holds the fault lock.
func (r *fileRun) vanish(st fileFaultState) error {
	if fi, err := os.Stat(st.Local); err == nil {
		os.Truncate(st.Local, fi.Size()/2)
	}
	if err := os.Remove(st.Local); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	st.Done = true
	r.log.write("", 0, "fault", st.ID+": file-vanish "+filepath.Base(st.Local)+" is gone")
	return writeFaultState(r.dir, st)
}

// vanishOpened is the open watch's call: a program opened the file of the
// vanish fault id.
func (r *fileRun) vanishOpened(id string) {
	err := withFaultLock(r.dir, func() error {
		st, ok, err := readFaultState(r.dir, id)
		if err != nil || !ok || st.Done || st.Kind != FaultFileVanish {
			return err
		}
		if err := r.vanish(st); err != nil {
			return err
		}
		r.refresh()
		return nil
	})
	r.report(id+"/vanish", err)
}

// liveTick writes a time-driven live primary's next backup when due.
func (r *fileRun) liveTick(st fileFaultState, f Fault, now time.Time) {
	step := f.delayOr(defaultLiveStep)
	r.mu.Lock()
	next, ok := r.liveNext[st.ID]
	if !ok {
		next = now.Add(step)
		r.liveNext[st.ID] = next
	}
	done := f.Times > 0 && r.liveCount[st.ID] >= f.Times
	r.mu.Unlock()
	if done || now.Before(next) {
		return
	}
	wrote, err := r.writeLive(st)
	r.mu.Lock()
	r.liveNext[st.ID] = now.Add(step)
	if wrote {
		r.liveCount[st.ID]++
	}
	r.mu.Unlock()
	r.report(st.ID+"/live", err)
}

// onLive is a statement's live-primary fault firing: the primary writes
// its next backup now.
func (r *fileRun) onLive(f Fault) {
	st, ok, err := readFaultState(r.dir, f.ID)
	if err == nil && !ok {
		err = fmt.Errorf("live-primary %s has no state in %s", f.ID, faultStateDir)
	}
	if err == nil {
		_, err = r.writeLive(st)
	}
	if err != nil {
		r.log.write("", 0, "fault", f.ID+": live-primary: "+err.Error())
	}
}

// writeLive has the primary write its next log backup into the fault's
// folder, continuing the chain from the last one it wrote. The file is
// written in place in two parts, as BACKUP LOG writes it, so a reader can
// catch it unfinished. While the folder is gone or hangs nothing is
// written (the primary cannot reach it either); the chain goes on with
// the next write. wrote reports whether a backup was written.
func (r *fileRun) writeLive(st fileFaultState) (wrote bool, err error) {
	if cur, ok := r.faults.check(filepath.Join(st.Local, "x")); ok && cur.Kind != FaultFileLocked {
		return false, nil
	}
	in := r.primary
	if in == nil {
		return false, errors.New("the lab has no log shipping primary")
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	lb := in.st.LogBackups
	at := time.Now().UTC().Truncate(time.Second)
	if !at.After(lb.Last.BackupStartDate) {
		at = lb.Last.BackupStartDate.Add(time.Second)
	}
	next, err := labfile.NextLog(lb.Last, at, uint64(at.UnixNano())+uint64(lb.Taken))
	if err != nil {
		return false, err
	}
	name := labfile.FileName(lb.Database, at)
	if err := writeInPlace(filepath.Join(st.Local, name), next); err != nil {
		return false, fmt.Errorf("live-primary %s: %w", st.ID, err)
	}
	lb.Last, lb.Taken = next, lb.Taken+1
	if err := in.save(); err != nil {
		return true, err
	}
	r.log.write(in.name, 0, "fault", fmt.Sprintf("%s: live-primary %s wrote %s (LSN %s to %s)", st.ID, next.ServerName, name, next.FirstLSN, next.LastLSN))
	return true, nil
}

// writeInPlace writes a one-set backup file under its final name in two
// parts, each synced.
func writeInPlace(path string, set labfile.BackupSet) error {
	b, err := labfile.Encode([]labfile.BackupSet{set})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err1 := f.Write(b[:len(b)/2])
	err2 := f.Sync()
	_, err3 := f.Write(b[len(b)/2:])
	err4 := f.Sync()
	err5 := f.Close()
	for _, e := range []error{err1, err2, err3, err4, err5} {
		if e != nil {
			os.Remove(path)
			return e
		}
	}
	return nil
}
