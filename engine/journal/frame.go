package journal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Magic opens every journal of this format version (see doc.go).
const Magic = magic

const (
	// magic opens every journal: "FOJRNL" and the format version as two
	// decimal digits.
	magic = "FOJRNL02"
	// magicPrefix is the part of the magic that does not depend on the
	// version, used to tell "not a journal" from "another version".
	magicPrefix = "FOJRNL"
	// frameHeaderSize is the length and checksum in front of each payload.
	frameHeaderSize = 8
	// MaxRecordSize bounds one payload. Staying under 2^20 keeps the two
	// highest bytes of every valid length below 0x10, bytes that JSON text
	// never contains, so a frame cannot be forged by a payload's content.
	MaxRecordSize = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendFrame appends one frame holding payload to dst.
func appendFrame(dst, payload []byte) []byte {
	var hdr [frameHeaderSize]byte
	binary.LittleEndian.PutUint32(hdr[0:4], uint32(len(payload)))
	crc := crc32.Update(0, castagnoli, hdr[0:4])
	crc = crc32.Update(crc, castagnoli, payload)
	binary.LittleEndian.PutUint32(hdr[4:8], crc)
	dst = append(dst, hdr[:]...)
	return append(dst, payload...)
}

// frameAt checks the frame starting at off. It returns the payload and the
// offset just after the frame, or a non-empty reason why there is no good
// frame there.
func frameAt(buf []byte, off int64) (payload []byte, next int64, reason string) {
	left := int64(len(buf)) - off
	if left < frameHeaderSize {
		return nil, 0, fmt.Sprintf("incomplete frame header (%d of %d bytes)", left, frameHeaderSize)
	}
	n := int64(binary.LittleEndian.Uint32(buf[off : off+4]))
	switch {
	case n == 0:
		return nil, 0, "empty record"
	case n > MaxRecordSize:
		return nil, 0, fmt.Sprintf("record length %d over the limit of %d", n, MaxRecordSize)
	case n > left-frameHeaderSize:
		return nil, 0, fmt.Sprintf("incomplete record (%d of %d bytes)", left-frameHeaderSize, n)
	}
	end := off + frameHeaderSize + n
	crc := crc32.Update(0, castagnoli, buf[off:off+4])
	crc = crc32.Update(crc, castagnoli, buf[off+frameHeaderSize:end])
	if crc != binary.LittleEndian.Uint32(buf[off+4:off+8]) {
		return nil, 0, "checksum mismatch"
	}
	return buf[off+frameHeaderSize : end], end, ""
}

// goodFrameAfter reports whether any good frame starts after from. It tells
// a torn tail (nothing good after the damage) from corruption in the middle.
// Candidates are cheap to reject: a length over the limit or past the end
// fails before any checksum is computed.
func goodFrameAfter(buf []byte, from int64) bool {
	for off := from; off+frameHeaderSize < int64(len(buf)); off++ {
		if _, _, reason := frameAt(buf, off); reason == "" {
			return true
		}
	}
	return false
}

// checkMagic verifies the file's magic and returns an error saying what the
// file is instead.
func checkMagic(buf []byte) error {
	if len(buf) < len(magic) {
		if bytes.HasPrefix([]byte(magic), buf) {
			return &HeaderError{Reason: fmt.Sprintf("torn journal header (%d of %d magic bytes)", len(buf), len(magic))}
		}
		return fmt.Errorf("not a failover journal")
	}
	if !bytes.HasPrefix(buf, []byte(magicPrefix)) {
		return fmt.Errorf("not a failover journal")
	}
	if v := string(buf[len(magicPrefix):len(magic)]); v != magic[len(magicPrefix):] {
		return &FormatError{Version: v}
	}
	return nil
}

// FormatError is a journal of another format version: written by another
// release of failover. It is refused whole, never read in part.
type FormatError struct {
	// Version is the file's format version as its magic spells it.
	Version string
}

// Error says which version the file is, which this release reads, and
// what the operator can do.
func (e *FormatError) Error() string {
	want := magic[len(magicPrefix):]
	if e.Version < want {
		return fmt.Sprintf("journal format %s was written by an older failover (this release reads format %s): "+
			"finish or inspect that run with the release that started it", e.Version, want)
	}
	return fmt.Sprintf("journal format %s was written by a newer failover (this release reads format %s): "+
		"use that release", e.Version, want)
}
