package labfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/lsn"
)

// testSets is two consecutive log backups, as one multi-set file holds them.
func testSets(t testing.TB) []BackupSet {
	t.Helper()
	at := time.Date(2026, 1, 5, 20, 0, 0, 0, time.UTC)
	one := BackupSet{
		BackupName: "mgc_20260105200000.trn", BackupType: TypeLog, DatabaseName: "mgc",
		ServerName: "DC1-SQL01", FirstLSN: lsn.Make(38419, 7599, 1), LastLSN: lsn.Make(38419, 8525, 1),
		BackupStartDate: at, BackupFinishDate: at.Add(2 * time.Second), SoftwareVersionMajor: 12, LogPages: 116,
	}
	two := one
	two.FirstLSN, two.LastLSN = one.LastLSN, lsn.Make(38420, 16, 1)
	return []BackupSet{one, two}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	sets := testSets(t)
	b, err := Encode(sets)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sets {
		sets[i].Position = i + 1
	}
	if !reflect.DeepEqual(got, sets) {
		t.Errorf("Decode(Encode(sets)) =\n%+v\nwant\n%+v", got, sets)
	}
}

func TestEncodeErrors(t *testing.T) {
	if _, err := Encode(nil); err == nil {
		t.Error("Encode(nil) succeeded; a backup file holds at least one set")
	}
	if _, err := Encode(make([]BackupSet, 70000)); err == nil {
		t.Error("Encode of 70000 sets succeeded; the header counts up to 65535")
	}
}

// TestDecodeEveryCut cuts a two-set file at every byte offset: each prefix
// must be reported as truncated, never decoded as fewer sets.
func TestDecodeEveryCut(t *testing.T) {
	b, err := Encode(testSets(t))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(b); n++ {
		if _, err := Decode(b[:n]); !errors.Is(err, ErrTruncated) {
			t.Fatalf("Decode of the first %d of %d bytes: error = %v, want ErrTruncated", n, len(b), err)
		}
	}
}

// TestDecodeEveryFlip flips each byte after the magic once: the damage must
// be detected (the magic itself is covered by TestDecodeForeign).
func TestDecodeEveryFlip(t *testing.T) {
	b, err := Encode(testSets(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := len(Magic); i < len(b); i++ {
		c := bytes.Clone(b)
		c[i] ^= 0x20
		if _, err := Decode(c); err == nil {
			t.Fatalf("Decode with byte %d flipped succeeded", i)
		}
	}
}

func TestDecodeForeign(t *testing.T) {
	valid, err := Encode(testSets(t))
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	newer := bytes.Clone(valid)
	newer[9] = 2 // format version 2, with a valid header checksum
	binary.BigEndian.PutUint32(newer[12:], crc32.Checksum(newer[:12], castagnoli))
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{name: "random bytes", in: random, want: ErrNotBackup},
		{name: "text file", in: []byte("Microsoft Tape Format? no, a note\n"), want: ErrNotBackup},
		{name: "real MTF start", in: []byte("TAPE\x00\x00\x00\x00"), want: ErrNotBackup},
		{name: "one foreign byte", in: []byte("X"), want: ErrNotBackup},
		{name: "empty file", in: nil, want: ErrTruncated},
		{name: "header checksum", in: append([]byte(Magic), 0, 1, 0, 2, 0, 0, 0, 0), want: ErrDamaged},
		{name: "bytes after the last set", in: append(bytes.Clone(valid), 0), want: ErrDamaged},
		{name: "no sets", in: encodeHeader(0), want: ErrDamaged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("Decode error = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("newer format version", func(t *testing.T) {
		if _, err := Decode(newer); !errors.Is(err, ErrNotBackup) {
			t.Errorf("Decode of format version 2: error = %v, want ErrNotBackup", err)
		}
	})
}

func TestReadWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mgc_20260105200000.trn")
	sets := testSets(t)
	if err := WriteFile(path, sets); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Position != 2 || got[1].FirstLSN != sets[0].LastLSN {
		t.Errorf("ReadFile = %+v", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("dir holds %v (%v), want only the backup file, no temporary file", entries, err)
	}
	if err := WriteFile(path, nil); err == nil {
		t.Error("WriteFile of no sets succeeded")
	}
	if got, _ := ReadFile(path); len(got) != 2 {
		t.Error("a failed WriteFile changed the existing file")
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	full, err := Encode(testSets(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content []byte // nil: no file
		want    error
	}{
		{name: "missing file", want: fs.ErrNotExist},
		{name: "half copied", content: full[:len(full)/2], want: ErrTruncated},
		{name: "tuf undo file", content: []byte("undo file of a STANDBY restore"), want: ErrNotBackup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if tt.content != nil {
				if err := WriteBytes(path, tt.content); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ReadFile(path)
			if !errors.Is(err, tt.want) {
				t.Errorf("ReadFile error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestWriteBytesMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "x.trn")
	if err := WriteBytes(path, []byte(Magic)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteBytes into a missing directory: error = %v, want ErrNotExist", err)
	}
}

func BenchmarkDecode(b *testing.B) {
	data, err := Encode(testSets(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
