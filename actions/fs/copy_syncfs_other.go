//go:build !linux

package fs

import "errors"

// CanSyncFS is false: each copy is synced by itself (FlushFileBuffers on
// Windows, fsync elsewhere).
func (osFS) CanSyncFS() bool { return false }

// SyncFS is not available here.
func (osFS) SyncFS(string) error {
	return errors.New("syncing a whole file system is not supported here")
}
