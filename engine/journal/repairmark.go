package journal

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// MarkFunc returns the records to append to a journal being repaired, from
// what the cut keeps and the records it drops: the good ones after the
// damage, and first the damaged record itself when its payload still
// decodes (a flipped bit in a record's text leaves it readable). It lets
// the caller say in the journal what the dropped records meant (a step
// that may have run) so that nothing is redone on a guess.
type MarkFunc func(kept *Replay, dropped []Salvaged) []Record

// RepairMarking is Repair whose cut also appends the records mark returns,
// in one atomic step: the cut journal with those records is written to a
// synced temporary file and renamed over the original (a copy of which is
// kept first), so that a crash leaves either the journal as it was or the
// repaired one with its marks, never a cut journal without them. With no
// records to append it is Repair. The sync mark is set to what the
// repaired journal holds.
func RepairMarking(fsys FS, path string, force bool, mark MarkFunc) (*Damage, error) {
	buf, err := fsys.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("repair journal %s: %w", path, err)
	}
	rd, err := RepairImage(path, buf, force, mark)
	switch {
	case err != nil && rd != nil && rd.Image != nil:
		// The records to append could not be encoded: nothing changed.
		return rd.Damage, fmt.Errorf("repair journal %s: %w", path, err)
	case err != nil || rd == nil:
		return rd.damage(), err
	case rd.Marked == 0:
		return cutInPlace(fsys, path, buf, rd.Damage, rd.Kept)
	}
	d := rd.Damage
	kept := uint64(rd.Kept)
	if d.Copy, err = replaceMarked(fsys, path, buf, rd.Image, kept, kept+uint64(rd.Marked)); err != nil {
		return d, err
	}
	d.Repaired = true
	return d, nil
}

// replaceKeeping keeps a copy of old, the journal's content, then
// replaces the journal with out. It returns the copy's name. When the
// journal could not be replaced, it is as it was, and the copy is removed
// again: nothing changed, so nothing is said to be kept.
func replaceKeeping(fsys FS, path string, old, out []byte) (string, error) {
	cp, err := keepCopy(fsys, path, old)
	if err != nil {
		return "", err
	}
	renamed, err := replaceFile(fsys, path, out)
	switch {
	case err != nil && !renamed:
		return "", fmt.Errorf("repair journal %s: %w", path, discard(fsys, cp, err))
	case err != nil:
		return cp, fmt.Errorf("repair journal %s: %w", path, err)
	}
	return cp, nil
}

// appendRecords frames recs after buf, numbering them from seq+1.
func appendRecords(buf []byte, seq uint64, recs []Record) ([]byte, error) {
	out := append([]byte(nil), buf...)
	now := time.Now().UTC()
	for _, r := range recs {
		seq++
		r.Seq = seq
		if r.Time.IsZero() {
			r.Time = now
		}
		r.Time = r.Time.UTC()
		payload, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode record %d: %w", r.Seq, err)
		}
		if len(payload) > MaxRecordSize {
			return nil, fmt.Errorf("encode record %d: %d bytes, over the limit of %d", r.Seq, len(payload), MaxRecordSize)
		}
		out = appendFrame(out, payload)
	}
	return out, nil
}

// replaceFile writes data to a synced temporary file beside path and
// renames it over path, then syncs the directory. renamed says whether
// path was replaced; when it was not, the temporary file is removed.
func replaceFile(fsys FS, path string, data []byte) (renamed bool, err error) {
	tmp := path + ".repair-tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return false, err
	}
	err = writeAndSync(f, data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsys.Rename(tmp, path)
	}
	if err != nil {
		return false, discard(fsys, tmp, err)
	}
	return true, fsys.SyncDir(filepath.Dir(path))
}

// damagedRecord decodes the record at off whose frame is bad, if its
// length is plausible and its payload still decodes; it is only a hint of
// what the record said.
func damagedRecord(buf []byte, off int64) (Record, bool) {
	if int64(len(buf))-off < frameHeaderSize {
		return Record{}, false
	}
	n := int64(binary.LittleEndian.Uint32(buf[off : off+4]))
	end := off + frameHeaderSize + n
	if n == 0 || n > MaxRecordSize || end > int64(len(buf)) {
		return Record{}, false
	}
	r, err := unmarshalRecord(buf[off+frameHeaderSize : end])
	return r, err == nil
}
