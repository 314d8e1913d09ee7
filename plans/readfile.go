package plans

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ReadFile reads a plan, base plan or vars file at path: a regular file
// (or a link to one) of at most limit bytes (0: DefaultFileSize).
// Anything else is refused before a byte is read, and without blocking: a
// device such as /dev/zero would be read forever, a named pipe or
// /proc/self/fd/0 would wait forever for a writer.
//
// The path is looked at before it is opened, so that a device is never
// opened; it may name another file by the time it is opened, so the file
// opened is looked at again, and opened without blocking where a named
// pipe would block its opening (Unix).
func ReadFile(path string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultFileSize
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regularFile(path, info, limit); err != nil {
		return nil, err
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regularFile(path, info, limit); err != nil {
		return nil, err
	}
	// Read up to one byte past the limit: the size looked at may have
	// changed, and some files (under /proc) say 0.
	data := make([]byte, 0, min(info.Size(), limit)+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, tooBig(path, limit)
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // let append pick the growth
		}
	}
}

// regularFile refuses anything but a regular file of at most limit bytes.
func regularFile(path string, info fs.FileInfo, limit int64) error {
	if kind := fileKind(info.Mode()); kind != "" {
		return fmt.Errorf("%s is %s, not a regular file: plans and vars files are read only from regular files", path, kind)
	}
	if info.Size() > limit {
		return tooBig(path, limit)
	}
	return nil
}

// reader returns the function that reads plan files within limit: read
// (a test's files in memory) held to the size limit, or ReadFile.
func reader(read func(string) ([]byte, error), limit int64) func(string) ([]byte, error) {
	if read == nil {
		return func(path string) ([]byte, error) { return ReadFile(path, limit) }
	}
	return func(path string) ([]byte, error) {
		data, err := read(path)
		if err == nil && int64(len(data)) > limit {
			return nil, tooBig(path, limit)
		}
		return data, err
	}
}

func tooBig(path string, limit int64) error {
	return fmt.Errorf("%s is larger than %s, the most a plan or vars file may hold (FAILOVER_MAX_FILE_SIZE sets the limit)",
		path, FormatSize(limit))
}

// fileKind names what a file that is not a regular one is, "" for a
// regular file.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
