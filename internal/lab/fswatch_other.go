//go:build !linux

package lab

// openWatch needs Linux's inotify; elsewhere a file-vanish fault takes a
// delay instead.
type openWatch struct{}

func newOpenWatch(func(id string)) *openWatch { return nil }

func (w *openWatch) sync([]fileFaultState) {}

func (w *openWatch) close() {}
