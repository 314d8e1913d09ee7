package journal

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// Rescued is what can be read of a journal whose header is damaged.
type Rescued struct {
	Err *HeaderError
	// Raw is the damaged header frame's payload as found (as far as the
	// file and the first good record allow); nil when even its frame's
	// length is missing.
	Raw []byte
	// Decoded is Raw as it still decodes, nil if it does not. It is
	// unverified: a flipped bit inside a value leaves it readable, and
	// wrong.
	Decoded *Header
	// Records are the good records found after the header's start, in
	// file order, with their offsets.
	Records []Salvaged
	// Size is the file's size.
	Size int64
}

// Kept returns how many records, numbered 1, 2, … without a gap, lead
// the rescued ones: what a rebuilt journal can keep as they are.
func (r *Rescued) Kept() int {
	n := 0
	for _, s := range r.Records {
		if s.Record.Seq != uint64(n+1) {
			break
		}
		n++
	}
	return n
}

// Rescue reads what can be read of a journal whose header is damaged: the
// damaged header's payload, and every good record frame after it. A
// journal whose header is good returns nil, nil (Read it); a file that is
// not a journal, or of another format version, is an error. It changes
// nothing.
func Rescue(fsys FS, path string) (*Rescued, error) {
	buf, err := fsys.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	return rescue(path, buf)
}

// rescue is Rescue of the journal buf, named path in errors.
func rescue(path string, buf []byte) (*Rescued, error) {
	rp, _, err := parse(path, buf)
	var he *HeaderError
	switch {
	case errors.As(err, &he):
	case rp != nil:
		return nil, nil // the header is good
	default:
		return nil, err
	}
	r := &Rescued{Err: he, Size: int64(len(buf))}
	if int64(len(buf)) <= int64(len(magic)) {
		return r, nil
	}
	r.Records = recordFrames(buf, int64(len(magic))+1)
	r.Raw = damagedHeader(buf, r.Records)
	var h Header
	if r.Raw != nil && json.Unmarshal(r.Raw, &h) == nil {
		r.Decoded = &h
	}
	return r, nil
}

// damagedHeader returns the payload of the bad header frame as found:
// as long as its length says, but never into the first good record, nor
// past the end of the file or the size limit.
func damagedHeader(buf []byte, recs []Salvaged) []byte {
	start := int64(len(magic)) + frameHeaderSize
	if int64(len(buf)) <= start {
		return nil
	}
	end := int64(len(buf))
	if len(recs) > 0 {
		end = recs[0].Offset
	}
	if n := int64(binary.LittleEndian.Uint32(buf[len(magic):])); n > 0 && start+n < end {
		end = start + n
	}
	end = min(end, start+MaxRecordSize)
	if end <= start {
		return nil
	}
	return buf[start:end]
}

// recordFrames returns every good frame from off on whose payload decodes
// as a record, resynchronising byte by byte after a bad one, as the
// damage check does. A header's frame decodes as a record of seq 0 and
// is left out.
func recordFrames(buf []byte, off int64) []Salvaged {
	var out []Salvaged
	for off+frameHeaderSize < int64(len(buf)) {
		payload, next, reason := frameAt(buf, off)
		if reason != "" {
			off++
			continue
		}
		if r, err := unmarshalRecord(payload); err == nil && r.Seq > 0 {
			out = append(out, Salvaged{Offset: off, Record: r, end: next})
		}
		off = next
	}
	return out
}
