package labfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Magic opens every lab backup file.
const Magic = "FOLABBAK"

// FormatVersion is the version this package writes and reads.
const FormatVersion = 1

const (
	headerSize = 16
	frameHead  = 8
	// maxFrame bounds one set's payload so a damaged length cannot make a
	// reader allocate gigabytes.
	maxFrame = 1 << 20
)

// The errors a damaged or foreign file gives; ReadFile and Decode wrap
// them. SQL Server reports the same situations as 3203/3208 (truncated),
// 3241/3242 (not a backup) and 3183/3189 (damaged).
var (
	ErrTruncated = errors.New("backup file is truncated")
	ErrNotBackup = errors.New("not a lab backup file")
	ErrDamaged   = errors.New("backup set is damaged")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode returns the file content for sets, numbering their Position from
// 1 in order (the caller's slice is not changed).
func Encode(sets []BackupSet) ([]byte, error) {
	if len(sets) == 0 {
		return nil, errors.New("encode backup file: no backup sets")
	}
	if len(sets) > math.MaxUint16 {
		return nil, fmt.Errorf("encode backup file: %d sets, at most %d", len(sets), math.MaxUint16)
	}
	var buf bytes.Buffer
	buf.Write(encodeHeader(len(sets)))
	for i, s := range sets {
		s.Position = i + 1
		payload, err := json.Marshal(s)
		if err != nil {
			return nil, fmt.Errorf("encode backup set %d: %w", i+1, err)
		}
		if len(payload) > maxFrame {
			return nil, fmt.Errorf("encode backup set %d: %d bytes, at most %d", i+1, len(payload), maxFrame)
		}
		buf.Write(encodeFrame(payload))
	}
	return buf.Bytes(), nil
}

func encodeHeader(n int) []byte {
	h := make([]byte, headerSize)
	copy(h, Magic)
	binary.BigEndian.PutUint16(h[8:], FormatVersion)
	binary.BigEndian.PutUint16(h[10:], uint16(n))
	binary.BigEndian.PutUint32(h[12:], crc32.Checksum(h[:12], castagnoli))
	return h
}

func encodeFrame(payload []byte) []byte {
	f := make([]byte, frameHead+len(payload))
	binary.BigEndian.PutUint32(f, uint32(len(payload)))
	copy(f[frameHead:], payload)
	binary.BigEndian.PutUint32(f[4:], frameSum(f[:4], payload))
	return f
}

// frameSum covers the length too, so a damaged length is damage, not a
// misleading truncation, when the frame is otherwise complete.
func frameSum(length, payload []byte) uint32 {
	c := crc32.Update(0, castagnoli, length)
	return crc32.Update(c, castagnoli, payload)
}

// Decode parses a lab backup file's content.
func Decode(b []byte) ([]BackupSet, error) {
	n, err := decodeHeader(b)
	if err != nil {
		return nil, err
	}
	sets := make([]BackupSet, 0, n)
	rest := b[headerSize:]
	for i := 1; i <= n; i++ {
		s, used, err := decodeFrame(rest, i)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
		rest = rest[used:]
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("read backup file: %d bytes after the last set: %w", len(rest), ErrDamaged)
	}
	return sets, nil
}

func decodeHeader(b []byte) (int, error) {
	if len(b) < len(Magic) {
		if bytes.HasPrefix([]byte(Magic), b) {
			return 0, fmt.Errorf("read backup file header: %d of %d bytes: %w", len(b), headerSize, ErrTruncated)
		}
		return 0, fmt.Errorf("read backup file header: no lab backup magic: %w", ErrNotBackup)
	}
	if string(b[:len(Magic)]) != Magic {
		return 0, fmt.Errorf("read backup file header: no lab backup magic: %w", ErrNotBackup)
	}
	if len(b) < headerSize {
		return 0, fmt.Errorf("read backup file header: %d of %d bytes: %w", len(b), headerSize, ErrTruncated)
	}
	if crc32.Checksum(b[:12], castagnoli) != binary.BigEndian.Uint32(b[12:]) {
		return 0, fmt.Errorf("read backup file header: checksum mismatch: %w", ErrDamaged)
	}
	if v := binary.BigEndian.Uint16(b[8:]); v != FormatVersion {
		return 0, fmt.Errorf("read backup file header: format version %d, want %d: %w", v, FormatVersion, ErrNotBackup)
	}
	n := int(binary.BigEndian.Uint16(b[10:]))
	if n == 0 {
		return 0, fmt.Errorf("read backup file header: no backup sets: %w", ErrDamaged)
	}
	return n, nil
}

func decodeFrame(b []byte, pos int) (BackupSet, int, error) {
	var s BackupSet
	if len(b) < frameHead {
		return s, 0, fmt.Errorf("read backup set %d: frame header cut short: %w", pos, ErrTruncated)
	}
	size := int(binary.BigEndian.Uint32(b))
	if size > maxFrame {
		return s, 0, fmt.Errorf("read backup set %d: length %d beyond %d: %w", pos, size, maxFrame, ErrDamaged)
	}
	if len(b) < frameHead+size {
		return s, 0, fmt.Errorf("read backup set %d: %d of %d bytes: %w", pos, len(b)-frameHead, size, ErrTruncated)
	}
	payload := b[frameHead : frameHead+size]
	if frameSum(b[:4], payload) != binary.BigEndian.Uint32(b[4:]) {
		return s, 0, fmt.Errorf("read backup set %d: checksum mismatch: %w", pos, ErrDamaged)
	}
	if err := json.Unmarshal(payload, &s); err != nil {
		return s, 0, fmt.Errorf("read backup set %d: %v: %w", pos, err, ErrDamaged)
	}
	if s.Position != pos {
		return s, 0, fmt.Errorf("read backup set %d: it says position %d: %w", pos, s.Position, ErrDamaged)
	}
	return s, frameHead + size, nil
}
