package labfile

import (
	"encoding/json"
	"errors"
	"math/big"
	"testing"
)

func TestParseLSN(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "real 22 digits", in: "1903345000083031000001", want: "1903345000083031000001"},
		{name: "leading zeros dropped", in: "000042", want: "42"},
		{name: "zero", in: "0", want: "0"},
		{name: "25 digits", in: "9999999999999999999999999", want: "9999999999999999999999999"},
		{name: "26 digits", in: "10000000000000000000000000", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "negative", in: "-1", wantErr: true},
		{name: "decimal point", in: "12.0", wantErr: true},
		{name: "space", in: " 12", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLSN(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadLSN) {
					t.Fatalf("ParseLSN(%q) error = %v, want ErrBadLSN", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLSN(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseLSN(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestLSNCmp(t *testing.T) {
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
			a, b := MustParseLSN(tt.a), MustParseLSN(tt.b)
			if got := a.Cmp(b); got != tt.want {
				t.Errorf("%s.Cmp(%s) = %d, want %d", a, b, got, tt.want)
			}
			if got := a.Big().Cmp(b.Big()); got != tt.want {
				t.Errorf("big %s.Cmp(%s) = %d, want %d", a, b, got, tt.want)
			}
			if (a == b) != (tt.want == 0) {
				t.Errorf("%s == %s is %v, want %v", a, b, a == b, tt.want == 0)
			}
		})
	}
}

func TestMakeLSN(t *testing.T) {
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
			l := MakeLSN(tt.vlf, tt.block, tt.slot)
			if l.String() != tt.want {
				t.Fatalf("MakeLSN = %s, want %s", l, tt.want)
			}
			v, b, s, ok := l.Parts()
			if !ok || v != tt.vlf || b != tt.block || s != tt.slot {
				t.Errorf("Parts() = %d:%d:%d %v, want %d:%d:%d", v, b, s, ok, tt.vlf, tt.block, tt.slot)
			}
		})
	}
}

func TestLSNPartsOutOfRange(t *testing.T) {
	// A slot of 99999 does not fit the uint16 slot of the VLF:block:slot form.
	if _, _, _, ok := MustParseLSN("1000000099999").Parts(); ok {
		t.Error("Parts() of an LSN with slot 99999 says ok")
	}
}

func TestLSNScan(t *testing.T) {
	tests := []struct {
		name    string
		src     any
		want    string
		wantErr bool
	}{
		{name: "bytes", src: []byte("1903345000083031000001"), want: "1903345000083031000001"},
		{name: "string", src: "42", want: "42"},
		{name: "int64", src: int64(7), want: "7"},
		{name: "NULL", src: nil, want: "0"},
		{name: "negative int64", src: int64(-7), wantErr: true},
		{name: "float", src: 1.5, wantErr: true},
		{name: "garbage", src: "12ab", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := MustParseLSN("99")
			err := l.Scan(tt.src)
			if tt.wantErr {
				if !errors.Is(err, ErrBadLSN) {
					t.Fatalf("Scan(%v) error = %v, want ErrBadLSN", tt.src, err)
				}
				return
			}
			if err != nil || l.String() != tt.want {
				t.Errorf("Scan(%v) = %s, %v; want %s", tt.src, l, err, tt.want)
			}
		})
	}
}

func TestLSNJSONAndBig(t *testing.T) {
	in := struct{ L LSN }{L: MustParseLSN("1903345000083031000001")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"L":"1903345000083031000001"}` {
		t.Errorf("json = %s", b)
	}
	var out struct{ L LSN }
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("round trip = %v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"L":"x"}`), &out); err == nil {
		t.Error("unmarshal of a non-numeric LSN succeeded")
	}
	if _, err := LSNFromBig(big.NewInt(-1)); !errors.Is(err, ErrBadLSN) {
		t.Errorf("LSNFromBig(-1) error = %v", err)
	}
	sum := new(big.Int).Add(in.L.Big(), big.NewInt(1))
	if l, err := LSNFromBig(sum); err != nil || l.String() != "1903345000083031000002" {
		t.Errorf("LSNFromBig = %s, %v", l, err)
	}
}

func BenchmarkLSNCmp(b *testing.B) {
	x, y := MustParseLSN("1903345000083031000001"), MustParseLSN("1903345000083031000002")
	for b.Loop() {
		if x.Cmp(y) != -1 {
			b.Fatal("wrong order")
		}
	}
}
