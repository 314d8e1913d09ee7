package journal

import "fmt"

// HeaderError reports a journal whose header cannot be read: its magic
// is torn, or the header's frame is bad. It wraps ErrCorrupt. Read refuses
// the whole file (the header says which plan and run the records are
// of); Rescue shows what can still be read, and Rewrite gives the records
// a rebuilt header.
type HeaderError struct {
	Path string
	// Offset is where the bad part starts: 0 for the magic, 8 for the
	// header's frame.
	Offset int64
	Reason string
}

// Error names the file, the offset and what is wrong there.
func (e *HeaderError) Error() string {
	return fmt.Sprintf("read journal %s: %v: header at offset %d: %s", e.Path, ErrCorrupt, e.Offset, e.Reason)
}

// Unwrap returns ErrCorrupt.
func (e *HeaderError) Unwrap() error { return ErrCorrupt }
