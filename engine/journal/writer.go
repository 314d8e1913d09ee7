package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by a Writer used after Close.
var ErrClosed = errors.New("journal closed")

// Writer appends records to one journal. It is safe for concurrent use.
//
// A write or sync failure poisons the Writer: every later Append and Sync
// returns that first error. After a failed fsync the kernel may already
// have dropped the dirty pages and cleared the error (Linux does), so a
// retried fsync can succeed without the data ever reaching the disk, and a
// record written after it could be durable while the one before is lost.
// The only safe way on is to reopen the file and re-read what is really
// there, which is what resume does.
type Writer struct {
	path string
	f    File
	fs   FS
	now  func() time.Time

	mu      sync.Mutex // guards the fields below and every write to f
	seq     uint64     // seq of the last record written
	written int64      // offset just after the last frame written
	err     error      // first write or sync failure
	closed  bool
	buf     []byte // frame buffer, reused between appends

	syncMu  sync.Mutex // serialises fsyncs; guards synced, mark and markErr
	synced  int64      // offset up to which the file is known durable
	mark    File       // the sync mark (see KeepMark); nil if not kept
	markErr error      // first failure to write the mark

	// syncedSeq is the seq of the last record known durable; written
	// under syncMu, read without it.
	syncedSeq atomic.Uint64
}

func newWriter(fs FS, path string, f File, seq uint64, end int64) *Writer {
	w := &Writer{path: path, f: f, fs: fs, now: time.Now, seq: seq, written: end, synced: end}
	w.syncedSeq.Store(seq)
	return w
}

// Create creates a new journal at path with its header, and makes both the
// header and the file's name durable before returning. It refuses to
// overwrite an existing file.
func Create(fs FS, path string, h Header) (*Writer, error) {
	buf, err := EncodeHeader(h)
	if err != nil {
		return nil, fmt.Errorf("create journal %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create journal directory %s: %w", dir, err)
	}
	// 0600: outputs are operator data (program output, server names); the
	// journal is for the user who runs the plan.
	f, err := fs.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create journal %s: %w", path, err)
	}
	if err := writeAndSync(f, buf); err != nil {
		// No run starts on a journal that could not be created: what was
		// written of it (nothing, on a full disk) is removed, not left
		// for the next apply to mistake for a run that died.
		_ = f.Close()
		return nil, fmt.Errorf("create journal %s: %w", path, discard(fs, path, err))
	}
	// The file's name lives in its directory, and the plan's directory may
	// itself have just been created in the state dir: sync both, or a crash
	// could leave a synced journal that no directory entry points to, and a
	// resume would find no run.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := fs.SyncDir(d); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("sync journal directory %s: %w", d, discard(fs, path, err))
		}
	}
	return newWriter(fs, path, f, 0, int64(len(buf))), nil
}

func writeAndSync(f File, buf []byte) error {
	if _, err := f.Write(buf); err != nil {
		return err
	}
	return f.Sync()
}

// Path returns the journal's file name.
func (w *Writer) Path() string { return w.path }

// Append assigns the next sequence number, frames the record and writes it
// with one write call. It does not sync: call Sync (or use AppendSync)
// before any effect that the record must precede. A zero Time is set to
// now; every Time is stored in UTC.
func (w *Writer) Append(r Record) (Record, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return r, err
	}
	r.Seq = w.seq + 1
	if r.Time.IsZero() {
		r.Time = w.now()
	}
	r.Time = r.Time.UTC()
	buf, err := appendRecordFrame(w.buf[:0], r, w.now)
	if err != nil {
		return r, err
	}
	w.buf = buf
	n, err := w.f.Write(w.buf)
	if err != nil {
		// Part of the frame may be on disk: a torn tail that Open repairs.
		w.err = fmt.Errorf("write journal %s: %w", w.path, err)
		return r, w.err
	}
	w.seq = r.Seq
	w.written += int64(n)
	return r, nil
}

// usable returns why the Writer cannot be used, or nil. w.mu must be held.
func (w *Writer) usable() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	return nil
}

// Sync makes every record appended before the call durable. Concurrent
// callers share fsyncs (group commit): a caller whose records were covered
// by another goroutine's fsync returns without one of its own.
func (w *Writer) Sync() error {
	w.mu.Lock()
	target, err := w.written, w.usable()
	w.mu.Unlock()
	if err != nil {
		return err
	}
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	if w.synced >= target {
		return nil // an fsync that started after our append covered it
	}
	return w.syncLocked()
}

// syncLocked fsyncs everything written so far. w.syncMu must be held.
func (w *Writer) syncLocked() error {
	w.mu.Lock()
	end, seq, err := w.written, w.seq, w.err
	w.mu.Unlock()
	if err != nil {
		return err
	}
	// Appends may go on while fsync runs; only bytes written before it
	// started are known durable, which is why end was read first.
	if err := w.f.Sync(); err != nil {
		w.mu.Lock()
		if w.err == nil {
			w.err = fmt.Errorf("sync journal %s: %w", w.path, err)
		}
		err = w.err
		w.mu.Unlock()
		return err
	}
	w.synced = end
	w.syncedSeq.Store(seq)
	w.writeMark(seq)
	return nil
}

// Flush returns the Writer's failure, if any: Append already wrote every
// record to the file, where it outlives this process (not a crash of the
// machine: that takes Sync).
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.usable()
}

// AppendSync appends a record and makes it durable.
func (w *Writer) AppendSync(r Record) (Record, error) {
	r, err := w.Append(r)
	if err != nil {
		return r, err
	}
	return r, w.Sync()
}

// Close syncs whatever was appended and not yet synced, then closes the
// file. A poisoned Writer is closed without a sync and returns its error.
func (w *Writer) Close() error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	pending, poison := w.written > w.synced, w.err
	w.mu.Unlock()
	var err error
	if pending && poison == nil {
		err = w.syncLocked()
	}
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close journal %s: %w", w.path, cerr)
	}
	if w.mark != nil {
		if cerr := w.mark.Close(); cerr != nil && w.markErr == nil {
			w.markErr = fmt.Errorf("close sync mark: %w", cerr)
		}
		w.mark = nil
	}
	if err == nil {
		err = poison
	}
	return err
}
