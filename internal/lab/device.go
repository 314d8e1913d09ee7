package lab

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/failover-dev/failover/internal/labfile"
)

// device is a backup device of RESTORE: the path as SQL Server names it
// (its messages and msdb show that) and the file the lab reads for it.
type device struct {
	// name is the path as given; a relative one is shown under the
	// default backup folder, as SQL Server shows it.
	name string
	// local is the file in the lab dir ("" when unreachable).
	local string
	// unc: the path names a file share (OS errors of the network).
	unc bool
	// unreachable is why no folder of the lab stands for the path.
	unreachable *sqlMsg
}

// OS errors of Windows that RESTORE reports in 3201.
const (
	osPathNotFound    = 3
	osNetPathNotFound = 53
)

// resolveDevice maps a device path to the lab dir, as the SQL Server
// service would open it: an absolute Windows path through the path map
// (a path outside it is 3201 with OS error 3, or 53 for a file share the
// lab does not have; never a folder of the lab by accident); a local
// absolute path only inside the lab dir (the lab's tests and drills pass
// its folders' own paths); a relative path from the lab dir, the lab's
// default backup folder.
func (in *instance) resolveDevice(p string) device {
	w, isWin := labfile.ParseWinPath(p)
	if isWin {
		if local, err := in.paths.Resolve(p); err == nil {
			return device{name: p, local: local, unc: w.UNC}
		}
	}
	switch {
	case filepath.IsAbs(p) && within(in.dir, p):
		return device{name: p, local: filepath.Clean(p)}
	case isWin && w.UNC:
		return unreachable(p, true, osNetPathNotFound, "The network path was not found.")
	case isWin, filepath.IsAbs(p), p == "", strings.HasPrefix(p, `\`), strings.HasPrefix(p, "/"), driveRelative(p):
		return unreachable(p, false, osPathNotFound, "The system cannot find the path specified.")
	}
	// Relative: below the default backup folder, never above it (Join
	// applies "." and ".." as Windows does, and stops at the root).
	local := labfile.FoldJoin(in.dir, labfile.WinPath{}.Join(p).Parts)
	return device{name: local, local: local}
}

// driveRelative reports a path like "D:x.trn": relative to the current
// folder of a drive, which a service does not have.
func driveRelative(p string) bool {
	return len(p) >= 2 && p[1] == ':' && (p[0] >= 'A' && p[0] <= 'Z' || p[0] >= 'a' && p[0] <= 'z')
}

func unreachable(p string, unc bool, code int, text string) device {
	m := msgCannotOpen(p, code, text)
	return device{name: p, unc: unc, unreachable: &m}
}

// within reports whether p is dir or lies inside it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, filepath.Clean(p))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// readSet reads backup set pos of a device for a statement that ends
// with term on failure: readBackup's errors, or 4038 when the file has
// no such set.
func (x *stmtCtx) readSet(dev device, pos int, term sqlMsg) (labfile.BackupSet, error) {
	sets, m, abort := x.readBackup(dev)
	switch {
	case abort:
		return labfile.BackupSet{}, errAbort
	case m != nil:
		return labfile.BackupSet{}, fail(*m, term)
	}
	found := filterPosition(sets, pos)
	if len(found) == 0 {
		return labfile.BackupSet{}, fail(msgNoFileID(pos, dev.name), term)
	}
	return found[0], nil
}

// readBackup reads a backup device as the SQL Server service would,
// mapping failures (and the file-system faults on its path) to SQL
// Server's errors. abort is true when the request was cancelled while
// a hanging share held it.
func (x *stmtCtx) readBackup(dev device) (sets []labfile.BackupSet, m *sqlMsg, abort bool) {
	if dev.unreachable != nil {
		return nil, dev.unreachable, false
	}
	if m, abort := x.fileFault(dev); m != nil || abort {
		return nil, m, abort
	}
	sets, err := labfile.ReadFile(dev.local)
	if err == nil {
		return sets, nil, false
	}
	var msg sqlMsg
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, derr := os.Stat(filepath.Dir(dev.local)); derr != nil {
			msg = msgCannotOpen(dev.name, osPathNotFound, "The system cannot find the path specified.")
		} else {
			msg = msgCannotOpen(dev.name, 2, "The system cannot find the file specified.")
		}
	case errors.Is(err, fs.ErrPermission):
		msg = msgCannotOpen(dev.name, 5, "Access is denied.")
	case errors.Is(err, labfile.ErrTruncated):
		msg = msgReadFailed(dev.name)
	case errors.Is(err, labfile.ErrDamaged):
		msg = sqlMsg{3189, 1, 16, "Damage to the backup set was detected."}
	default:
		msg = msgIncorrectlyFormed(dev.name)
	}
	return nil, &msg, false
}

// devicePath evaluates and resolves a RESTORE device.
func (x *stmtCtx) devicePath(e expr) (device, error) {
	p, err := x.evalText(e)
	if err != nil {
		return device{}, err
	}
	return x.in.resolveDevice(p), nil
}
