package lsn

import (
	"errors"
	"math/big"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "real 22 digits", in: "1903345000083031000001", want: "1903345000083031000001"},
		{name: "leading zeros dropped", in: "000042", want: "42"},
		{name: "22 digits of leading zeros", in: "0000000000000000000042", want: "42"},
		{name: "zero", in: "0", want: "0"},
		{name: "25 digits", in: "9999999999999999999999999", want: "9999999999999999999999999"},
		{name: "2^64", in: "18446744073709551616", want: "18446744073709551616"},
		{name: "26 digits", in: "10000000000000000000000000", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "negative", in: "-1", wantErr: true},
		{name: "letters", in: "12a", wantErr: true},
		{name: "zero fraction", in: "12.0", wantErr: true},
		{name: "fraction", in: "42.5", wantErr: true},
		{name: "space", in: " 12", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBad) {
					t.Fatalf("Parse(%q) = %v, %v; want ErrBad", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse of a bad LSN did not panic")
		}
	}()
	MustParse("x")
}

func TestCmp(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{name: "equal", a: "1903345000083031000001", b: "1903345000083031000001", want: 0},
		{name: "shorter is smaller", a: "999", b: "1000", want: -1},
		{name: "same length", a: "1903345000083031000002", b: "1903345000083031000001", want: 1},
		{name: "beyond uint64", a: "18446744073709551616", b: "18446744073709551615", want: 1},
		{name: "leading zeros ignored", a: "0042", b: "42", want: 0},
		{name: "zero", a: "0", b: "1", want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := MustParse(tt.a), MustParse(tt.b)
			if got := a.Cmp(b); got != tt.want {
				t.Errorf("%s.Cmp(%s) = %d, want %d", a, b, got, tt.want)
			}
			if got := a.Big().Cmp(b.Big()); got != tt.want {
				t.Errorf("big %s.Cmp(%s) = %d, want %d", a, b, got, tt.want)
			}
			if got := a.Less(b); got != (tt.want < 0) {
				t.Errorf("%s.Less(%s) = %v", a, b, got)
			}
			if (a == b) != (tt.want == 0) {
				t.Errorf("%s == %s is %v, want %v", a, b, a == b, tt.want == 0)
			}
		})
	}
}

// TestCmpOrdered compares every pair of an ordered list, across the
// uint64 boundary and within one length.
func TestCmpOrdered(t *testing.T) {
	ordered := []string{"0", "7", "18446744073709551615", "18446744073709551616", "1903345000082000000001",
		"1903345000083031000001", "1903345000083031000002", "9999999999999999999999999"}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := MustParse(a).Cmp(MustParse(b)); got != want {
				t.Errorf("%s Cmp %s = %d, want %d", a, b, got, want)
			}
			if MustParse(a).Big().Cmp(MustParse(b).Big()) != want {
				t.Errorf("big: %s vs %s disagrees with Cmp", a, b)
			}
		}
	}
}

func TestMake(t *testing.T) {
	tests := []struct {
		name  string
		vlf   uint32
		block uint32
		slot  uint16
		want  string
	}{
		{name: "real example", vlf: 1903345, block: 830310, slot: 1, want: "1903345000083031000001"},
		{name: "vlf zero", vlf: 0, block: 16, slot: 2, want: "1600002"},
		{name: "all zero", want: "0"},
		{name: "largest", vlf: 4294967295, block: 4294967295, slot: 65535, want: "4294967295429496729565535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Make(tt.vlf, tt.block, tt.slot)
			if l.String() != tt.want {
				t.Fatalf("Make = %s, want %s", l, tt.want)
			}
			v, b, s, ok := l.Parts()
			if !ok || v != tt.vlf || b != tt.block || s != tt.slot {
				t.Errorf("Parts() = %d:%d:%d %v, want %d:%d:%d", v, b, s, ok, tt.vlf, tt.block, tt.slot)
			}
		})
	}
}

func TestPartsOutOfRange(t *testing.T) {
	// A slot of 99999 does not fit the uint16 slot of the VLF:block:slot form.
	if _, _, _, ok := MustParse("1000000099999").Parts(); ok {
		t.Error("Parts() of an LSN with slot 99999 says ok")
	}
}

func TestFromBig(t *testing.T) {
	in := MustParse("1903345000083031000001")
	if _, err := FromBig(big.NewInt(-1)); !errors.Is(err, ErrBad) {
		t.Errorf("FromBig(-1) error = %v, want ErrBad", err)
	}
	sum := new(big.Int).Add(in.Big(), big.NewInt(1))
	if l, err := FromBig(sum); err != nil || l.String() != "1903345000083031000002" {
		t.Errorf("FromBig = %s, %v", l, err)
	}
	tooBig, _ := new(big.Int).SetString("10000000000000000000000000", 10)
	if _, err := FromBig(tooBig); !errors.Is(err, ErrBad) {
		t.Errorf("FromBig(10^25) error = %v, want ErrBad", err)
	}
}
