package lsn

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestScan(t *testing.T) {
	tests := []struct {
		name    string
		src     any
		want    string
		wantErr bool
	}{
		{name: "bytes", src: []byte("1903345000083031000001"), want: "1903345000083031000001"},
		{name: "string", src: "1903345000083031000001", want: "1903345000083031000001"},
		{name: "short string", src: "42", want: "42"},
		{name: "int64", src: int64(7), want: "7"},
		{name: "NULL", src: nil, want: "0"},
		{name: "zero fraction", src: "42.000", want: "42"},
		{name: "zero fraction bytes", src: []byte("12.0"), want: "12"},
		{name: "fraction", src: "42.5", wantErr: true},
		{name: "negative int64", src: int64(-7), wantErr: true},
		{name: "float", src: 1.5, wantErr: true},
		{name: "garbage", src: "12ab", wantErr: true},
		{name: "26 digits", src: "10000000000000000000000000", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := MustParse("99")
			err := l.Scan(tt.src)
			if tt.wantErr {
				if !errors.Is(err, ErrBad) {
					t.Fatalf("Scan(%v) error = %v, want ErrBad", tt.src, err)
				}
				return
			}
			if err != nil || l.String() != tt.want {
				t.Errorf("Scan(%v) = %s, %v; want %s", tt.src, l, err, tt.want)
			}
		})
	}
}

func TestValue(t *testing.T) {
	v, err := MustParse("1903345000083031000001").Value()
	if err != nil || v != "1903345000083031000001" {
		t.Errorf("Value() = %v, %v", v, err)
	}
	if v, _ := (LSN{}).Value(); v != "0" {
		t.Errorf("zero Value() = %v, want 0", v)
	}
}

func TestJSON(t *testing.T) {
	in := struct{ L LSN }{L: MustParse("1903345000083031000001")}
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
	for _, bad := range []string{`{"L":"x"}`, `{"L":"12.0"}`} {
		if err := json.Unmarshal([]byte(bad), &out); !errors.Is(err, ErrBad) {
			t.Errorf("unmarshal %s: error = %v, want ErrBad", bad, err)
		}
	}
}

func BenchmarkCmp(b *testing.B) {
	x, y := MustParse("1903345000083031000001"), MustParse("1903345000083031000002")
	for b.Loop() {
		if x.Cmp(y) != -1 {
			b.Fatal("wrong order")
		}
	}
}
