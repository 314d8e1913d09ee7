package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// An image is a journal's bytes as its file holds them: the magic, the
// header's frame, then one frame per record. The functions of this file
// work on an image in memory, for a store that keeps the same bytes
// somewhere else than in one file (engine/store/etcdstore keeps the
// magic and header under one key and each record's frame under a key of
// its own: the keys' values, in order, are the image). Reading, damage,
// rescue and repair are then the very code the file uses.

// EncodeHeader returns the start of a new journal: the magic and the
// header's frame, exactly as Create writes them. A zero FormatVersion is
// this package's, a zero Started is now.
func EncodeHeader(h Header) ([]byte, error) {
	if h.FormatVersion == 0 {
		h.FormatVersion = FormatVersion
	}
	if h.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("format version %d unsupported", h.FormatVersion)
	}
	if h.Started.IsZero() {
		h.Started = time.Now().UTC()
	}
	payload, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode journal header: %w", err)
	}
	return appendFrame([]byte(magic), payload), nil
}

// EncodeRecord returns r's frame as Append writes it: r.Seq as given (the
// caller numbers records), a zero Time set to now, every Time in UTC.
func EncodeRecord(r Record) ([]byte, error) {
	return appendRecordFrame(nil, r, time.Now)
}

// appendRecordFrame appends r's frame to dst.
func appendRecordFrame(dst []byte, r Record, now func() time.Time) ([]byte, error) {
	if r.Time.IsZero() {
		r.Time = now()
	}
	r.Time = r.Time.UTC()
	payload, err := json.Marshal(r)
	if err != nil {
		return dst, fmt.Errorf("encode journal record %d: %w", r.Seq, err)
	}
	if len(payload) > MaxRecordSize {
		return dst, fmt.Errorf("encode journal record %d: %d bytes, over the limit of %d", r.Seq, len(payload), MaxRecordSize)
	}
	return appendFrame(dst, payload), nil
}

// Parse reads an image as Read reads a file (name is what errors call
// it): a bad tail is reported in Replay.Damage, damage followed by good
// records returns the records before it, the Damage and a *CorruptError,
// a damaged header a *HeaderError. It also returns the offset just after
// the last good record.
func Parse(name string, img []byte) (*Replay, int64, error) {
	return parse(name, img)
}

// RescueImage is Rescue of an image.
func RescueImage(name string, img []byte) (*Rescued, error) {
	return rescue(name, img)
}

// SalvageImage is Salvage of an image.
func SalvageImage(name string, img []byte) ([]Salvaged, error) {
	rp, _, err := parse(name, img)
	if rp == nil {
		return nil, err
	}
	return salvageAfter(img, rp.Damage), nil
}

// Repaired is what a repair makes of an image (see RepairImage).
type Repaired struct {
	// Damage is the bad record the repair cuts at.
	Damage *Damage
	// Kept is how many records the image keeps as they were.
	Kept int
	// Image is the repaired image: the image up to the damage, then the
	// records the repair's MarkFunc returned, numbered on from Kept.
	Image []byte
	// Marked is how many records the MarkFunc returned.
	Marked int
}

// RepairImage works out the repair of an image that RepairMarking makes
// of a file: a clean image returns nil, nil; damage followed by good
// records is refused with a *CorruptError (and a Repaired saying where)
// unless force is set. mark may be nil: no records are added.
func RepairImage(name string, img []byte, force bool, mark MarkFunc) (*Repaired, error) {
	rp, err := forRepair(name, img, force)
	if err != nil {
		if rp != nil {
			return &Repaired{Damage: rp.Damage}, err
		}
		return nil, err
	}
	if rp == nil {
		return nil, nil
	}
	rd := &Repaired{Damage: rp.Damage, Kept: len(rp.Records), Image: img[:rp.Damage.Offset]}
	if mark == nil {
		return rd, nil
	}
	dropped := salvageAfter(img, rp.Damage)
	if r, ok := damagedRecord(img, rp.Damage.Offset); ok {
		dropped = append([]Salvaged{{Offset: rp.Damage.Offset, Record: r}}, dropped...)
	}
	recs := mark(rp, dropped)
	if len(recs) == 0 {
		return rd, nil
	}
	out, err := appendRecords(rd.Image, uint64(rd.Kept), recs)
	if err != nil {
		return rd, err
	}
	rd.Image, rd.Marked = out, len(recs)
	return rd, nil
}

// damage returns the Damage of a repair, or nil.
func (rd *Repaired) damage() *Damage {
	if rd == nil {
		return nil
	}
	return rd.Damage
}

// forRepair parses an image for a repair. A clean image returns a nil
// Replay; damage followed by good records is a *CorruptError unless
// force is set (the Replay then says where to cut).
func forRepair(name string, img []byte, force bool) (*Replay, error) {
	rp, _, err := parse(name, img)
	var ce *CorruptError
	switch {
	case errors.As(err, &ce) && force:
		// Cut at the first bad frame, dropping the good records after it.
		return rp, nil
	case err != nil:
		if rp != nil && rp.Damage != nil {
			// The caller reports the damage with the refusal.
			return &Replay{Damage: rp.Damage}, err
		}
		return nil, err
	case rp.Damage == nil:
		return nil, nil
	}
	return rp, nil
}

// RewriteImage returns the image Rewrite writes: h, then the records
// numbered 1 to keep found whole in img (whether its header is good or
// not) exactly as they were written, then recs numbered on from keep.
func RewriteImage(img []byte, h Header, keep int, recs []Record) ([]byte, error) {
	if h.FormatVersion == 0 {
		h.FormatVersion = FormatVersion
	}
	payload, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	out := appendFrame([]byte(magic), payload)
	if out, err = appendKept(out, img, keep); err != nil {
		return nil, err
	}
	return appendRecords(out, uint64(keep), recs)
}

// SplitImage cuts a clean image into its start (the magic and the
// header's frame) and its records' frames, in order: what a store that
// keeps each under a key of its own writes. An image with any bad frame
// is refused.
func SplitImage(img []byte) (head []byte, frames [][]byte, err error) {
	if err := checkMagic(img); err != nil {
		return nil, nil, err
	}
	_, off, reason := frameAt(img, int64(len(magic)))
	if reason != "" {
		return nil, nil, fmt.Errorf("header: %s", reason)
	}
	head = img[:off]
	for off < int64(len(img)) {
		_, next, reason := frameAt(img, off)
		if reason != "" {
			return nil, nil, fmt.Errorf("record at offset %d: %s", off, reason)
		}
		frames = append(frames, img[off:next])
		off = next
	}
	return head, frames, nil
}
