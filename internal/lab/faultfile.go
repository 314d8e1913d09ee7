package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// FaultsFile is the file in the lab dir that holds the run-time faults. A
// running lab re-reads it when its size or modification time changes
// (checked before each statement), so `failover-lab fault add` reaches a
// lab that is already up. Faults whose ID stays keep their counters.
const FaultsFile = "faults.yaml"

// faultsDoc is the layout of FaultsFile.
type faultsDoc struct {
	Faults []Fault `yaml:"faults"`
}

// ListFaults returns the run-time faults of the lab in dir.
func ListFaults(dir string) ([]Fault, error) {
	data, err := os.ReadFile(filepath.Join(dir, FaultsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read faults: %w", err)
	}
	var doc faultsDoc
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && len(bytes.TrimSpace(data)) > 0 {
		return nil, fmt.Errorf("decode %s: %w", FaultsFile, err)
	}
	return doc.Faults, nil
}

// AddFault adds a run-time fault to the lab in dir and returns it with its
// ID (given or f1, f2, …).
func AddFault(dir string, f Fault) (Fault, error) {
	if err := f.Validate(); err != nil {
		return Fault{}, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return Fault{}, fmt.Errorf("add fault: %s: %w (failover-lab up --dir %s)", dir, ErrNotInitialised, dir)
	}
	// Before the first up (a fault prepared for the lab's start) there is
	// no config yet to check the instance against.
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	switch {
	case err == nil:
		if err := cfg.checkFaultInstance(f); err != nil {
			return Fault{}, fmt.Errorf("add fault: %w", err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return Fault{}, fmt.Errorf("add fault: %w", err)
	}
	if f.Kind.IsFile() {
		return addFileFault(dir, cfg, err, f)
	}
	list, err := ListFaults(dir)
	if err != nil {
		return Fault{}, err
	}
	if f, err = nameFault(list, f); err != nil {
		return Fault{}, err
	}
	return f, writeFaults(dir, append(list, f))
}

// nameFault gives f the next free ID (f1, f2, …) or checks its own.
func nameFault(list []Fault, f Fault) (Fault, error) {
	ids := map[string]bool{}
	for _, g := range list {
		ids[g.ID] = true
	}
	if f.ID == "" {
		for n := len(list) + 1; f.ID == "" || ids[f.ID]; n++ {
			f.ID = "f" + strconv.Itoa(n)
		}
	} else if ids[f.ID] {
		return Fault{}, fmt.Errorf("add fault: id %q is taken", f.ID)
	}
	return f, nil
}

// ClearFaults removes the run-time fault with the given ID, or all of them
// when id is "". It reports whether anything was removed.
// A file-system fault is undone first (its folder or file put back),
// the newest first; one that cannot be undone stays listed, and the
// error says why.
func ClearFaults(dir, id string) (removed bool, err error) {
	err = lockedIfFiles(dir, func() error {
		list, err := ListFaults(dir)
		if err != nil {
			return err
		}
		// Undone newest first: a fault added on top of another (the
		// share moved away after a file in it was made to grow) is put
		// back before the one below it needs its folder.
		stays := make([]bool, len(list))
		for i := len(list) - 1; i >= 0; i-- {
			f := list[i]
			switch {
			case id != "" && f.ID != id:
				stays[i] = true
			case f.Kind.IsFile():
				if rerr := revertFileFault(dir, f.ID); rerr != nil {
					stays[i], err = true, errors.Join(err, rerr)
				}
			}
		}
		var keep []Fault
		for i, f := range list {
			if stays[i] {
				keep = append(keep, f)
			}
		}
		removed = len(keep) != len(list)
		return errors.Join(err, writeFaults(dir, keep))
	})
	return removed, err
}

func writeFaults(dir string, list []Fault) error {
	data, err := yaml.Marshal(faultsDoc{Faults: list})
	if err != nil {
		return fmt.Errorf("encode faults: %w", err)
	}
	return writeAtomic(filepath.Join(dir, FaultsFile), data)
}

// faultWatch notices changes of FaultsFile. It compares the content, not
// the modification time, whose granularity can hide two quick edits.
type faultWatch struct {
	path string
	// last is the content last seen (nil: no file); guarded by the
	// caller's lock (Lab.mu).
	last []byte
	seen bool
}

// changed reports whether the file differs from the version last seen,
// and remembers the new version.
func (w *faultWatch) changed() bool {
	data, err := os.ReadFile(w.path)
	if err != nil {
		data = nil
	}
	if w.seen && bytes.Equal(data, w.last) {
		return false
	}
	w.last, w.seen = data, true
	return true
}

// writeAtomic writes a file through a temporary file and a rename, so a
// reader (or a crash) never sees half a file. The data is synced before
// the rename because the lab's state must survive a killed process.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}
