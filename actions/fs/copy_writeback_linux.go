package fs

import "golang.org/x/sys/unix"

// writeback starts writing a copied chunk to disk while the next one is
// copied, and waits for the chunk before it: the final sync then has
// little left to do, and a large copy does not pile up dirty pages. A
// file that is not an *os.File (a test's) is left alone; errors are left
// to the sync, which reports them.
func writeback(f dstFile, off, n, prevOff, prevN int64) {
	fd, ok := f.(interface{ Fd() uintptr })
	if !ok || n == 0 {
		return
	}
	unix.SyncFileRange(int(fd.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
	if prevN > 0 {
		unix.SyncFileRange(int(fd.Fd()), prevOff, prevN,
			unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
	}
}
