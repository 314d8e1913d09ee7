//go:build unix

package plans

import (
	"os"
	"syscall"
)

// openNoBlock opens path for reading without blocking: a named pipe
// swapped in after the path was looked at opens at once (and is then
// refused) instead of waiting for a writer; no terminal becomes the
// process's controlling terminal. A regular file ignores O_NONBLOCK.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}
