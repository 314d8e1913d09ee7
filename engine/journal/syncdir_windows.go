//go:build windows

package journal

// SyncDir does nothing on Windows: a directory handle cannot be flushed
// (FlushFileBuffers on it fails with access denied), and NTFS journals its
// metadata, so a created or renamed name is made durable by the file
// system's own log rather than by an explicit flush.
func (OSFS) SyncDir(dir string) error { return nil }
