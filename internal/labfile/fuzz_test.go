package labfile

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode: no input crashes the reader, every refusal is one of the
// three sentinel errors, and what decodes re-encodes to the same sets.
func FuzzDecode(f *testing.F) {
	valid, err := Encode(testSets(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(Magic))
	f.Add([]byte("random bytes, not a backup"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sets, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNotBackup) && !errors.Is(err, ErrDamaged) {
				t.Fatalf("Decode error %v wraps none of ErrTruncated, ErrNotBackup, ErrDamaged", err)
			}
			return
		}
		again, err := Encode(sets)
		if err != nil {
			t.Fatalf("re-encode decoded sets: %v", err)
		}
		back, err := Decode(again)
		if err != nil || !reflect.DeepEqual(back, sets) {
			t.Fatalf("decode(encode(decode(b))) differs: %v", err)
		}
	})
}
