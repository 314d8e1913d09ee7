package journal

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"
)

// MarkExtension is the file name suffix of a run's sync mark.
const MarkExtension = ".seq"

// markSize is the fixed size of a sync mark: 20 decimal digits of the
// sequence number, a space, the CRC-32C of the digits in 8 hex digits, a
// newline. Fixed, so that the Writer rewrites it in place with one write.
const markSize = 30

// MarkPath returns the sync mark of the journal at journalPath:
// <stateDir>/<plan>/<runID>.seq.
//
// The mark holds the sequence number of the last record a Writer knew
// durable. It survives the run (the plan's lock, which carries the same
// number in its heartbeat, is removed when the run ends), so that a
// journal cut cleanly at a record boundary — a restore, a copy, a file
// system that lost its tail — is told from a run that simply stopped
// there: such a journal holds fewer records than its mark says.
func MarkPath(journalPath string) string {
	return strings.TrimSuffix(journalPath, Extension) + MarkExtension
}

// EncodeMark returns a sync mark holding seq, as a mark file holds it.
func EncodeMark(seq uint64) []byte {
	digits := fmt.Sprintf("%020d", seq)
	return fmt.Appendf(nil, "%s %08x\n", digits, crc32.Checksum([]byte(digits), castagnoli))
}

// DecodeMark returns the sequence number a sync mark holds; a mark that
// is torn or garbled is an error.
func DecodeMark(b []byte) (uint64, error) {
	if len(b) != markSize || b[20] != ' ' || b[markSize-1] != '\n' {
		return 0, fmt.Errorf("not a sync mark (%d bytes)", len(b))
	}
	digits := b[:20]
	sum, err := strconv.ParseUint(string(b[21:29]), 16, 32)
	if err != nil || uint32(sum) != crc32.Checksum(digits, castagnoli) {
		return 0, errors.New("sync mark checksum mismatch")
	}
	return strconv.ParseUint(string(digits), 10, 64)
}

// ReadMark returns the sequence number the sync mark of the journal at
// journalPath holds. With no mark the error wraps fs.ErrNotExist; a mark
// that is torn or garbled is an error too. Either way it says nothing:
// callers take no mark as no evidence.
func ReadMark(fsys FS, journalPath string) (uint64, error) {
	b, err := fsys.ReadFile(MarkPath(journalPath))
	if err != nil {
		return 0, fmt.Errorf("read sync mark: %w", err)
	}
	seq, err := DecodeMark(b)
	if err != nil {
		return 0, fmt.Errorf("read sync mark %s: %w", MarkPath(journalPath), err)
	}
	return seq, nil
}

// WriteMark sets the sync mark of the journal at journalPath to seq and
// syncs it. A repair uses it: a cut it was asked for and journaled resets
// the mark to what the repaired journal holds.
func WriteMark(fsys FS, journalPath string, seq uint64) error {
	name := MarkPath(journalPath)
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write sync mark %s: %w", name, err)
	}
	err = writeAndSync(f, EncodeMark(seq))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write sync mark %s: %w", name, err)
	}
	return nil
}

// KeepMark makes the Writer keep the journal's sync mark: it is written
// now with what is durable so far, and again after every sync. A failure
// to write the mark never fails the journal (the mark is evidence, not
// data): MarkErr reports it.
func (w *Writer) KeepMark() error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	if w.mark != nil {
		return nil
	}
	f, err := w.fs.OpenFile(MarkPath(w.path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open sync mark: %w", err)
	}
	if err := f.Truncate(markSize); err != nil {
		_ = f.Close()
		return fmt.Errorf("open sync mark: %w", err)
	}
	w.mark = f
	w.writeMark(w.syncedSeq.Load())
	return w.markErr
}

// writeMark rewrites the sync mark in place with seq. It is not synced:
// the mark only ever claims records already durable in the journal, so a
// crash that loses the mark's last update leaves it behind the journal,
// never ahead (and a torn mark fails its checksum and says nothing).
// w.syncMu must be held.
func (w *Writer) writeMark(seq uint64) {
	if w.mark == nil {
		return
	}
	_, err := w.mark.Seek(0, io.SeekStart)
	if err == nil {
		_, err = w.mark.Write(EncodeMark(seq))
	}
	if err != nil && w.markErr == nil {
		w.markErr = fmt.Errorf("write sync mark %s: %w", MarkPath(w.path), err)
	}
}

// MarkErr returns the first failure to keep the sync mark, or nil.
func (w *Writer) MarkErr() error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	return w.markErr
}

// Synced returns the sequence number of the last record known durable.
// It never blocks on a sync in progress (the lock's heartbeat reads it).
func (w *Writer) Synced() uint64 { return w.syncedSeq.Load() }
