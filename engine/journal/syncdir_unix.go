//go:build !windows

package journal

import "os"

// SyncDir fsyncs a directory. On Unix a new file's name lives in its
// directory, and fsync of the file alone does not make the name durable: a
// crash could leave a synced journal that no directory entry points to.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}
