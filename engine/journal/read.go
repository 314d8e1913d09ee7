package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by every error about damage that cannot be a torn
// tail: a bad record followed by good ones, or a damaged header.
var ErrCorrupt = errors.New("journal corrupt")

// CorruptError reports a bad record followed by good records. It wraps
// ErrCorrupt.
type CorruptError struct {
	Path   string
	Offset int64
	Reason string
}

// Error names the file, the offset and what is wrong there.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("journal %s is corrupt at offset %d (%s) and good records follow it, "+
		"so it is not a torn tail; only a forced repair cuts it back, dropping them", e.Path, e.Offset, e.Reason)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// Replay is what a journal holds.
type Replay struct {
	Header  Header
	Records []Record
	// Damage describes a bad tail; nil if the journal is clean.
	Damage *Damage
}

// Damage describes the first bad frame in a journal.
type Damage struct {
	// Offset is where the bad frame starts; everything before it is good.
	Offset int64
	// Size is the file's size when the damage was found.
	Size   int64
	Reason string
	// Repaired is true once the file has been cut back to Offset.
	Repaired bool
	// Copy is the kept copy of the file as it was before the repair.
	Copy string
	// Trailing is true when good records follow the bad one.
	Trailing bool
}

// Read reads a journal without changing it. A bad tail is reported in
// Replay.Damage. Damage followed by good records returns the records before
// it, the Damage, and a *CorruptError.
func Read(fs FS, path string) (*Replay, error) {
	buf, err := fs.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	rp, _, err := parse(path, buf)
	return rp, err
}

// parse decodes a whole journal and returns the offset just after the last
// good record.
func parse(path string, buf []byte) (*Replay, int64, error) {
	if err := checkMagic(buf); err != nil {
		var he *HeaderError
		if errors.As(err, &he) {
			he.Path = path
			return nil, 0, he
		}
		return nil, 0, fmt.Errorf("read journal %s: %w", path, err)
	}
	payload, off, reason := frameAt(buf, int64(len(magic)))
	if reason != "" {
		return nil, 0, &HeaderError{Path: path, Offset: int64(len(magic)), Reason: reason}
	}
	rp := &Replay{}
	if err := json.Unmarshal(payload, &rp.Header); err != nil {
		return nil, 0, &HeaderError{Path: path, Offset: int64(len(magic)), Reason: "undecodable header: " + err.Error()}
	}
	off, rp.Records, rp.Damage = parseRecords(buf, off)
	if rp.Damage != nil && rp.Damage.Trailing {
		return rp, off, &CorruptError{Path: path, Offset: rp.Damage.Offset, Reason: rp.Damage.Reason}
	}
	return rp, off, nil
}

// parseRecords decodes records from off until the end or the first bad one.
func parseRecords(buf []byte, off int64) (int64, []Record, *Damage) {
	var recs []Record
	for off < int64(len(buf)) {
		payload, next, reason := frameAt(buf, off)
		if reason == "" {
			var r Record
			r, reason = decodeRecord(payload, uint64(len(recs))+1)
			if reason == "" {
				recs = append(recs, r)
				off = next
				continue
			}
		}
		d := &Damage{Offset: off, Size: int64(len(buf)), Reason: reason}
		d.Trailing = goodFrameAfter(buf, off+1)
		return off, recs, d
	}
	return off, recs, nil
}

// decodeRecord decodes a payload whose checksum is good and checks that its
// sequence number is the expected one.
func decodeRecord(payload []byte, want uint64) (Record, string) {
	r, err := unmarshalRecord(payload)
	if err != nil {
		return r, fmt.Sprintf("undecodable record: %v", err)
	}
	if r.Seq != want {
		return r, fmt.Sprintf("record has seq %d, want %d", r.Seq, want)
	}
	return r, ""
}

// unmarshalRecord decodes a record's JSON, outputs' numbers as plan values.
func unmarshalRecord(payload []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return r, err
	}
	for k, v := range r.Outputs {
		r.Outputs[k] = plainNumbers(v)
	}
	return r, nil
}

// plainNumbers turns json.Number values into int64 when they are whole and
// fit, float64 otherwise: the types plan values resolve to, so an output
// read back on resume has the type it had when the step produced it.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String() // out of float64 range: keep the text
	case []any:
		for i := range x {
			x[i] = plainNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plainNumbers(x[k])
		}
	}
	return v
}
