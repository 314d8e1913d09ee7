package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/failover-dev/failover/internal/labfile"
)

// readMedia reads the file a BACKUP writes to, as SQL Server opens its
// backup device: through the path map (3201 outside it), inside one of
// its folders (a local or relative path elsewhere in the lab dir, such as
// the lab's own state files, is 3201 with OS error 5), in a folder that
// exists (3201, OS error 3). It returns the sets already in the
// file and how many of them the backup keeps: all with NOINIT (it
// appends), none with INIT or FORMAT. A file that is not a backup is
// 3241 unless FORMAT overwrites it; appending to a file whose end is cut
// off or damaged is 3266.
func (in *instance) readMedia(dev device, b backupSpec) (sets []labfile.BackupSet, keep int, m *sqlMsg) {
	if dev.unreachable != nil {
		return nil, 0, dev.unreachable
	}
	if !in.writable(dev) {
		msg := msgCannotOpen(dev.name, 5, "Access is denied.")
		return nil, 0, &msg
	}
	st, err := os.Stat(dev.local)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if dir, derr := os.Stat(filepath.Dir(dev.local)); derr != nil || !dir.IsDir() {
			msg := msgCannotOpen(dev.name, osPathNotFound, "The system cannot find the path specified.")
			return nil, 0, &msg
		}
		return nil, 0, nil
	case err != nil || st.IsDir():
		msg := msgCannotOpen(dev.name, 5, "Access is denied.")
		return nil, 0, &msg
	case b.format:
		return nil, 0, nil
	}
	sets, err = labfile.ReadFile(dev.local)
	var msg sqlMsg
	switch {
	case err == nil && b.init:
		return sets, 0, nil
	case err == nil:
		return sets, len(sets), nil
	case errors.Is(err, fs.ErrPermission):
		msg = msgCannotOpen(dev.name, 5, "Access is denied.")
	case errors.Is(err, labfile.ErrTruncated), errors.Is(err, labfile.ErrDamaged):
		if b.init {
			return nil, 0, nil // INIT writes over the sets; the header is sound
		}
		msg = msgBadMediaEnd(dev.name)
	default:
		msg = msgIncorrectlyFormed(dev.name)
	}
	return nil, 0, &msg
}

// mediaCompression decides whether the new set is compressed: as asked,
// or as the media's sets are when not asked. Asking the opposite of an
// existing media set is 3098 (only FORMAT makes a new media set).
func mediaCompression(media []labfile.BackupSet, asked *bool) (bool, *sqlMsg) {
	if len(media) == 0 {
		return asked != nil && *asked, nil
	}
	formatted := media[0].Compressed
	switch {
	case asked == nil:
		return formatted, nil
	case *asked == formatted:
		return formatted, nil
	case *asked:
		m := msgIncompatibleMedia("COMPRESSION", "COMPRESSION", "NO_COMPRESSION")
		return false, &m
	}
	m := msgIncompatibleMedia("NO_COMPRESSION", "NO_COMPRESSION", "COMPRESSION")
	return false, &m
}

// writeMedia writes the file's sets atomically (a temporary file renamed
// over it), so a failed or interrupted backup leaves the file as it was.
func writeMedia(dev device, sets []labfile.BackupSet) *sqlMsg {
	err := labfile.WriteFile(dev.local, sets)
	if err == nil {
		return nil
	}
	var m sqlMsg
	if errors.Is(err, fs.ErrPermission) {
		m = msgCannotOpen(dev.name, 5, "Access is denied.")
	} else {
		m = sqlMsg{3202, 1, 16, fmt.Sprintf("Write on \"%s\" failed: 1117(The request could not be performed because of an I/O device error.)", dev.name)}
	}
	return &m
}

// writable reports whether BACKUP may write the device: only inside the
// path map's folders, never over the lab's own files.
func (in *instance) writable(dev device) bool {
	for _, pm := range in.paths.Mappings() {
		if within(pm.Local, dev.local) && filepath.Clean(dev.local) != filepath.Clean(pm.Local) {
			return true
		}
	}
	return false
}
