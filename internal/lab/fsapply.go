package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
)

// faultTarget resolves what a file-system fault acts on: its Path (a
// Windows path through the path map, or a path in the lab dir), or the
// kind's default: the share, the copy folder for disk-full, the newest log
// backup on the share for the kinds that act on a file. It returns the
// local path, whether it stands for a file share, and the Path to record.
func faultTarget(dir string, cfg Config, f Fault) (local string, unc bool, path string, err error) {
	path = f.Path
	if path == "" {
		path, err = defaultTarget(dir, cfg, f.Kind)
		if err != nil {
			return "", false, "", err
		}
	}
	local, unc, err = cfg.faultLocal(dir, path)
	if err != nil {
		return "", false, "", err
	}
	return local, unc, path, checkTarget(local, f.Kind)
}

func defaultTarget(dir string, cfg Config, k FaultKind) (string, error) {
	switch k {
	case FaultDiskFull:
		return cfg.CopyWindowsPath(dir), nil
	case FaultFileGrowing, FaultFileLocked, FaultFileVanish:
		name, err := newestLog(cfg.ShareFolder(dir), cfg.LogShipping.Database)
		if err != nil {
			return "", err
		}
		return sqlJoin(cfg.ShareWindowsPath(dir), name), nil
	}
	return cfg.ShareWindowsPath(dir), nil
}

// newestLog is the file on the share that holds the newest log backup of
// db (the highest LastLSN), judged by header, not name.
func newestLog(share, db string) (string, error) {
	entries, err := os.ReadDir(share)
	if err != nil {
		return "", fmt.Errorf("find the newest log backup: %w", err)
	}
	best, top := "", lsn.LSN{}
	for _, e := range entries {
		sets, err := labfile.ReadFile(filepath.Join(share, e.Name()))
		if err != nil {
			continue
		}
		for _, s := range sets {
			if s.BackupType == labfile.TypeLog && strings.EqualFold(s.DatabaseName, db) && s.LastLSN.Cmp(top) > 0 {
				best, top = e.Name(), s.LastLSN
			}
		}
	}
	if best == "" {
		return "", fmt.Errorf("no readable log backup of %s on the share %s: give the fault a path", db, share)
	}
	return best, nil
}

// faultLocal resolves a fault's Path. It must lie in one of the lab's data
// folders (the mapped ones, the share, the copy folder), never elsewhere
// in the lab dir (its state, certificates) or outside it.
func (c Config) faultLocal(dir, p string) (string, bool, error) {
	local, unc := "", false
	if w, ok := labfile.ParseWinPath(p); ok {
		m, err := c.PathMap(dir)
		if err != nil {
			return "", false, err
		}
		if local, err = m.Resolve(p); err != nil {
			return "", false, fmt.Errorf("path %s: not in the lab's path map (%s)", p, mappedRoots(c.Paths))
		}
		unc = w.UNC
	} else {
		local = filepath.Clean(p)
		if !filepath.IsAbs(local) {
			local = filepath.Join(resolve(dir, "."), local)
		}
	}
	for _, f := range c.labFolders(dir) {
		if within(f, local) {
			return local, unc, nil
		}
	}
	return "", false, fmt.Errorf("path %s: not in one of the lab's folders (%s)", p, strings.Join(c.labFolders(dir), ", "))
}

// checkTarget checks that the target is what the kind acts on.
func checkTarget(local string, k FaultKind) error {
	fi, err := os.Lstat(local)
	if err != nil {
		return fmt.Errorf("%s: %w", k, err)
	}
	wantFile := k == FaultFileGrowing || k == FaultFileLocked || k == FaultFileVanish
	switch {
	case wantFile && !fi.Mode().IsRegular():
		return fmt.Errorf("%s acts on a file; %s is not a regular file", k, local)
	case !wantFile && !fi.IsDir():
		return fmt.Errorf("%s acts on a folder; %s is not a folder", k, local)
	}
	return nil
}

// applyFileFault applies f in the lab dir and records its state; f.Path
// is set to the target it resolved. The caller holds the fault lock.
func applyFileFault(dir string, cfg Config, f *Fault, now time.Time) error {
	local, unc, path, err := faultTarget(dir, cfg, *f)
	if err != nil {
		return fmt.Errorf("fault %s: %w", f.ID, err)
	}
	f.Path = path
	st := fileFaultState{ID: f.ID, Kind: f.Kind, Local: local, UNC: unc, Applied: now.UTC()}
	switch f.Kind {
	case FaultShareHang:
		st.Delay = f.delayOr(defaultHang)
	case FaultFileGrowing:
		st.Delay = f.delayOr(defaultGrowTime)
	case FaultFileVanish, FaultLivePrimary:
		st.Delay = f.Delay
	}
	if err := os.MkdirAll(faultDir(dir, f.ID), 0o755); err != nil {
		return fmt.Errorf("fault %s: %w", f.ID, err)
	}
	if err := applyEffect(dir, &st, f.Free); err != nil {
		os.RemoveAll(faultDir(dir, f.ID))
		return fmt.Errorf("fault %s (%s %s): %w", f.ID, f.Kind, path, err)
	}
	return writeFaultState(dir, st)
}

// applyEffect does what the fault does to the file system, the moment it is
// added; the running lab does the rest (growing, vanishing, writing).
func applyEffect(dir string, st *fileFaultState, free int64) error {
	orig := st.origPath(dir)
	switch st.Kind {
	case FaultShareGone:
		return os.Rename(st.Local, orig)
	case FaultShareHang:
		names, not, err := hangFolder(st.Local, orig)
		st.Names, st.NotSimulated = names, not
		return err
	case FaultFileLocked:
		not, err := lockFileAway(st.Local, orig)
		st.NotSimulated = not
		return err
	case FaultFileGrowing:
		return startGrowing(st, orig)
	case FaultFileVanish:
		if st.Delay == 0 && !vanishOnOpen {
			return fmt.Errorf("this system cannot see a program open a file (inotify is Linux's): give --delay")
		}
		return copyFile(st.Local, orig)
	case FaultDiskFull:
		return fillDisk(dir, st, free)
	}
	return nil // live-primary: the running lab writes
}

// startGrowing keeps the whole file and cuts it to a third.
func startGrowing(st *fileFaultState, orig string) error {
	b, err := os.ReadFile(st.Local)
	if err != nil {
		return err
	}
	if err := os.WriteFile(orig, b, 0o644); err != nil {
		return err
	}
	st.Size, st.Written = int64(len(b)), int64(len(b)/3)
	return os.Truncate(st.Local, st.Written)
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// revertFileFault undoes the fault id and removes its state; a fault
// without state (never applied) is nothing to undo. The caller holds the
// fault lock.
func revertFileFault(dir, id string) error {
	st, ok, err := readFaultState(dir, id)
	if err != nil || !ok {
		if err == nil {
			err = os.RemoveAll(faultDir(dir, id))
		}
		return err
	}
	if err := undo(dir, st); err != nil {
		return fmt.Errorf("clear fault %s (%s %s): %w", id, st.Kind, st.Local, err)
	}
	return os.RemoveAll(faultDir(dir, id))
}

// undo puts back what a fault took away.
func undo(dir string, st fileFaultState) error {
	orig := st.origPath(dir)
	switch st.Kind {
	case FaultShareGone:
		return moveBack(orig, st.Local)
	case FaultShareHang:
		return unhangFolder(st.Local, orig, st.Names)
	case FaultFileLocked:
		return unlockFileBack(st.Local, orig, st.NotSimulated != "")
	case FaultFileGrowing, FaultFileVanish:
		// The whole file, as it was: the writer finished, the file is back.
		if _, err := os.Stat(orig); err != nil {
			return err
		}
		b, err := os.ReadFile(orig)
		if err != nil {
			return err
		}
		return labfile.WriteBytes(st.Local, b)
	case FaultDiskFull:
		return emptyDisk(dir, st)
	}
	return nil
}

// moveBack renames a folder that was moved away back to its place. A
// folder made there meanwhile is replaced if empty, refused otherwise.
func moveBack(orig, local string) error {
	if err := os.Remove(local); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("a folder %s was made while it was gone and is not empty; move its files away first: %w", local, err)
	}
	return os.Rename(orig, local)
}

// addFileFault is AddFault for a file-system fault: it needs the lab's
// config (its path map), and applies the fault before it lists it, both
// under the fault lock, so a running lab never sees one without the other.
func addFileFault(dir string, cfg Config, cfgErr error, f Fault) (Fault, error) {
	if cfgErr != nil {
		return Fault{}, fmt.Errorf("add fault: a file-system fault needs an initialised lab (failover-lab up --dir %s): %w", dir, cfgErr)
	}
	err := withFaultLock(dir, func() error {
		list, err := ListFaults(dir)
		if err != nil {
			return err
		}
		if f, err = nameFault(append(list, configFaults(cfg)...), f); err != nil {
			return err
		}
		if err := applyFileFault(dir, cfg, &f, time.Now()); err != nil {
			return fmt.Errorf("add fault: %w", err)
		}
		if err := writeFaults(dir, append(list, f)); err != nil {
			return errors.Join(err, revertFileFault(dir, f.ID))
		}
		return nil
	})
	return f, err
}

// lockedIfFiles runs fn under the fault lock when the lab dir exists (a
// clear can undo file-system faults), else as it is.
func lockedIfFiles(dir string, fn func() error) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fn()
	}
	return withFaultLock(dir, fn)
}

// applyConfigFileFaults applies the config's file-system faults to a new
// lab dir (Init); the config's statement faults need nothing.
func applyConfigFileFaults(dir string, cfg Config, now time.Time) error {
	return withFaultLock(dir, func() error {
		for _, f := range configFaults(cfg) {
			if f.Kind.IsFile() {
				if err := applyFileFault(dir, cfg, &f, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// undoAllFileFaults undoes every file-system fault in force (Reset), as
// far as it can: the lab dir's folders are made anew anyway, but the
// processes a fault started must end.
func undoAllFileFaults(dir string) {
	_ = withFaultLock(dir, func() error {
		for _, st := range faultStates(dir) {
			if err := revertFileFault(dir, st.ID); err != nil && st.Kind == FaultDiskFull {
				killHolder(st.Holder, holderView(st.Holder, st.Mount))
			}
		}
		return nil
	})
}
