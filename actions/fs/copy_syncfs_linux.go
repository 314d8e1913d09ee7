package fs

import (
	"os"

	"golang.org/x/sys/unix"
)

// CanSyncFS is true: Linux has syncfs(2).
func (osFS) CanSyncFS() bool { return true }

// SyncFS syncs the whole file system holding dir with one syncfs(2):
// one journal commit for a group of copies instead of one per file,
// which is most of the cost of copying many small files. Since Linux 5.8
// it reports writeback errors of any file of the file system.
func (osFS) SyncFS(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
