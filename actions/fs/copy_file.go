package fs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	iofs "io/fs"
	"path/filepath"
	"time"
)

// groupSyncMax is the size from which a copy is synced by itself rather
// than with its group (copyOnce, commit).
const groupSyncMax = 8 << 20

// chunkSize is how much one step of a copy moves before it looks at the
// context and reports progress. A *os.File pair still copies each chunk
// in the kernel (copy_file_range), so the chunks cost nothing.
const chunkSize = 16 << 20

// fileResult is what copying one file came to.
type fileResult struct {
	rel   string
	dir   string // the destination directory, synced before a checkpoint
	bytes int64
	// tmp is the complete copy under its temporary name, and dst the
	// name the commit renames it to; "" when there is nothing to rename.
	tmp, dst string
	// skip is why the file was not copied (it vanished, it kept changing
	// and allow_changing is set); "" when it was copied.
	skip string
	// changing is set when it kept changing and allow_changing is not set.
	changing bool
	err      error
}

// changingError says a source file changed while it was copied, or is
// locked by its writer: the copy is not used.
type changingError struct{ why string }

func (e *changingError) Error() string { return e.why }

// vanishedError says a listed source file no longer exists.
type vanishedError struct{}

func (vanishedError) Error() string { return "vanished from the source" }

// copyFile copies one file, again while it changes under the copy, up to
// c.attempts copies in all.
func (c *copier) copyFile(ctx context.Context, d fileDecision) fileResult {
	res := fileResult{rel: d.rel, dir: filepath.Dir(d.dst), dst: d.dst}
	var last *changingError
	for attempt := 1; attempt <= c.attempts; attempt++ {
		tmp, n, err := c.copyOnce(ctx, d)
		if err == nil {
			res.bytes, res.tmp = n, tmp
			return res
		}
		c.prog.addBytes(d.rel, -n) // the bytes of a copy thrown away
		switch {
		case errors.As(err, &last):
		case errors.Is(err, vanishedError{}):
			res.skip = "vanished from the source after it was listed (deleted by the backup job's retention?)"
			return res
		default:
			res.err = err
			return res
		}
		if attempt < c.attempts {
			if err := c.sleep(ctx, time.Duration(attempt)*c.changeWait); err != nil {
				res.err = err
				return res
			}
		}
	}
	why := fmt.Sprintf("still being written on the source (%s, in each of %d copies)", last.why, c.attempts)
	if c.p.AllowChanging {
		res.skip = why + "; not copied (allow_changing)"
	} else {
		res.changing, res.skip = true, why
	}
	return res
}

// copyOnce copies d to a temporary name in its destination directory
// and gives it the source's modification time; the commit renames it to
// its name once it is synced, so that a half-copied file never looks
// complete. With c.syncEach the file is synced here (one fsync per file);
// otherwise the commit syncs a whole group at once. The temporary file
// is removed on every failure.
func (c *copier) copyOnce(ctx context.Context, d fileDecision) (tmpName string, n int64, err error) {
	src, before, err := c.openSource(d.path)
	if err != nil {
		return "", 0, err
	}
	defer src.Close()
	dir, base := filepath.Dir(d.dst), filepath.Base(d.dst)
	tmp, err := c.fs.CreateTemp(dir, tempPattern(base))
	if err != nil {
		return "", 0, c.writeError("create a temporary file in "+dir, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			c.fs.Remove(tmp.Name())
		}
	}()
	var sum []byte
	n, sum, err = c.transfer(ctx, tmp, src, d, before.Size())
	if err != nil {
		return "", n, err
	}
	if err := c.unchanged(d.path, before, n); err != nil {
		return "", n, err
	}
	if c.syncEach || n >= groupSyncMax {
		// A large file is synced by itself: one sync of the whole file
		// system would also write out everything else that is dirty.
		if err := tmp.Sync(); err != nil {
			return "", n, c.writeError("sync "+tmp.Name(), err)
		}
	}
	if err := tmp.Close(); err != nil {
		return "", n, c.writeError("close "+tmp.Name(), err)
	}
	if sum != nil {
		if err := c.verify(ctx, tmp.Name(), sum); err != nil {
			return "", n, err
		}
	}
	// After Close: on Windows closing a written handle may set the
	// modification time again.
	if err := c.fs.Chtimes(tmp.Name(), before.ModTime(), before.ModTime()); err != nil {
		return "", n, fmt.Errorf("set the modification time of %s: %w", tmp.Name(), err)
	}
	done = true
	return tmp.Name(), n, nil
}

// openSource opens a source file and returns its state before the copy.
func (c *copier) openSource(p string) (srcFile, iofs.FileInfo, error) {
	src, err := c.fs.Open(p)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		return nil, nil, vanishedError{}
	case isLocked(err):
		return nil, nil, &changingError{why: "locked by another process"}
	case errors.Is(err, iofs.ErrPermission):
		return nil, nil, fmt.Errorf("read %s: permission denied: the account running failover needs read access to the source: %w", p, err)
	case err != nil:
		return nil, nil, fmt.Errorf("open %s: %w", p, err)
	}
	fi, err := src.Stat()
	if err != nil {
		src.Close()
		return nil, nil, fmt.Errorf("look at %s: %w", p, err)
	}
	return src, fi, nil
}

// transfer copies the source into tmp chunk by chunk, reporting bytes and
// honouring ctx between chunks. With verify it also hashes what it read.
func (c *copier) transfer(ctx context.Context, tmp dstFile, src srcFile, d fileDecision, size int64) (int64, []byte, error) {
	var h hash.Hash
	var r io.Reader = src
	if c.p.Verify == "sha256" {
		h = sha256.New()
		r = io.TeeReader(src, h)
	}
	var n, prev int64
	for {
		if err := ctx.Err(); err != nil {
			return n, nil, fmt.Errorf("copy %s: %w", d.rel, err)
		}
		k, err := copyChunk(tmp, r)
		if k > 0 && size > chunkSize {
			writeback(tmp, n, k, n-prev, prev)
			prev = k
		}
		n += k
		c.prog.addBytes(d.rel, k)
		switch {
		case isLocked(err):
			return n, nil, &changingError{why: "locked by another process"}
		case err != nil && isWriteSide(err):
			return n, nil, c.diskError(d, n, size, err)
		case err != nil:
			return n, nil, fmt.Errorf("copy %s: %w", d.path, err)
		case k < chunkSize:
			if h == nil {
				return n, nil, nil
			}
			return n, h.Sum(nil), nil
		}
	}
}

// copyChunk moves up to chunkSize bytes. Read errors and write errors are
// told apart (writeSideError) so that a full disk is named as such.
func copyChunk(dst dstFile, r io.Reader) (int64, error) {
	if _, ok := r.(srcFile); ok {
		// io.CopyN hands a *os.File pair to the kernel.
		n, err := io.CopyN(dst, r, chunkSize)
		if err == io.EOF {
			err = nil
		}
		return n, classifyCopyErr(err, dst)
	}
	n, err := io.CopyBuffer(writerOnly{dst}, io.LimitReader(r, chunkSize), make([]byte, 1<<20))
	return n, classifyCopyErr(err, dst)
}

// writerOnly hides a file's ReadFrom so that io.CopyBuffer uses the
// buffer (the reader is a hashing TeeReader: no kernel copy is possible).
type writerOnly struct{ io.Writer }

// writeSideError marks an error of writing the destination.
type writeSideError struct{ err error }

func (e *writeSideError) Error() string { return e.err.Error() }
func (e *writeSideError) Unwrap() error { return e.err }

func isWriteSide(err error) bool {
	var w *writeSideError
	return errors.As(err, &w)
}

// classifyCopyErr marks errors that came from the destination: an
// *fs.PathError naming the temporary file, or a full disk.
func classifyCopyErr(err error, dst dstFile) error {
	if err == nil {
		return nil
	}
	var pe *iofs.PathError
	if errors.As(err, &pe) && pe.Path == dst.Name() || isDiskFull(err) {
		return &writeSideError{err: err}
	}
	return err
}

// unchanged checks that the source is as it was when the copy began and
// that the copy has all of it: a file still being written is not used.
func (c *copier) unchanged(p string, before iofs.FileInfo, n int64) error {
	after, err := c.fs.Stat(p)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		return vanishedError{}
	case err != nil:
		return fmt.Errorf("look at %s after copying it: %w", p, err)
	case after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()):
		return &changingError{why: fmt.Sprintf("it went from %d to %d bytes, modified %s then %s",
			before.Size(), after.Size(), before.ModTime().UTC().Format(time.RFC3339Nano), after.ModTime().UTC().Format(time.RFC3339Nano))}
	case n != before.Size():
		return &changingError{why: fmt.Sprintf("%d bytes were read of %d", n, before.Size())}
	}
	return nil
}

// verify re-reads the synced copy and compares its SHA-256 with the
// source's, as read during the copy.
func (c *copier) verify(ctx context.Context, name string, want []byte) error {
	f, err := c.fs.Open(name)
	if err != nil {
		return fmt.Errorf("verify %s: %w", name, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, readerOnly{ctx: ctx, r: f}, make([]byte, 1<<20)); err != nil {
		return fmt.Errorf("verify %s: %w", name, err)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		return fmt.Errorf("verify %s: its SHA-256 is %x, the source's was %x: the destination's storage returned other bytes than were written", name, got, want)
	}
	return nil
}

// readerOnly reads r and stops when ctx ends.
type readerOnly struct {
	ctx context.Context
	r   io.Reader
}

func (r readerOnly) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(b)
}

// writeError names a failure to write into the destination, a full disk
// and a denied permission in words.
func (c *copier) writeError(what string, err error) error {
	switch {
	case isDiskFull(err):
		return fmt.Errorf("%s: the destination disk is full: %w", what, err)
	case errors.Is(err, iofs.ErrPermission):
		return fmt.Errorf("%s: permission denied: the account running failover needs write access to the destination: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// diskError names a failed write of a file's copy.
func (c *copier) diskError(d fileDecision, n, size int64, err error) error {
	if isDiskFull(err) {
		return fmt.Errorf("copy %s to %s: the destination disk is full after %d of %d bytes (the partial copy was removed): %w",
			d.rel, filepath.Dir(d.dst), n, size, err)
	}
	return c.writeError("copy "+d.rel+" to "+filepath.Dir(d.dst), err)
}
