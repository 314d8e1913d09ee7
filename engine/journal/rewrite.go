package journal

import "fmt"

// Rewrite replaces the journal at path with one holding h, then the
// records numbered 1 to keep exactly as they were written (found whole in
// the file, whether its header is good or not), then recs numbered on
// from keep. It is the repair of what cutting a tail cannot mend: a
// damaged header (h rebuilt by the caller) or a journal shorter than its
// run synced (recs saying so). Like RepairMarking it is one atomic step
// that keeps a copy of the file as it was first, and it returns the
// copy's name. The sync mark is set to what the new journal holds.
func Rewrite(fsys FS, path string, h Header, keep int, recs []Record) (string, error) {
	buf, err := fsys.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("rewrite journal %s: %w", path, err)
	}
	out, err := RewriteImage(buf, h, keep, recs)
	if err != nil {
		return "", fmt.Errorf("rewrite journal %s: %w", path, err)
	}
	return replaceMarked(fsys, path, buf, out, uint64(keep), uint64(keep+len(recs)))
}

// appendKept appends to out the frames of the records numbered 1 to keep
// found in buf, in order, as they are.
func appendKept(out, buf []byte, keep int) ([]byte, error) {
	next := 1
	for _, s := range recordFrames(buf, int64(len(magic))) {
		if next > keep {
			break
		}
		if s.Record.Seq == uint64(next) {
			out = append(out, buf[s.Offset:s.end]...)
			next++
		}
	}
	if next <= keep {
		return nil, fmt.Errorf("record %d is not in the file whole", next)
	}
	return out, nil
}

// replaceMarked replaces the journal with out, keeping a copy of old, and
// resets the sync mark: to kept (what both the old and the new journal
// hold) before, and to last, what the new one holds, after. The mark is
// thus never ahead of the journal: were it, the journal would pass for
// cut short. A failure to write the second leaves it behind, which only
// weakens the evidence, and is not the repair's failure.
func replaceMarked(fsys FS, path string, old, out []byte, kept, last uint64) (string, error) {
	if err := WriteMark(fsys, path, kept); err != nil {
		return "", fmt.Errorf("repair journal %s: %w", path, err)
	}
	cp, err := replaceKeeping(fsys, path, old, out)
	if err != nil {
		return cp, err
	}
	_ = WriteMark(fsys, path, last)
	return cp, nil
}
