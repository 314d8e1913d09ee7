package logship

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseLSN(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "1903345000083031000001", want: "1903345000083031000001"},
		{in: "0000000000000000000042", want: "42"},
		{in: "0", want: "0"},
		{in: "9999999999999999999999999", want: "9999999999999999999999999"},
		{in: "18446744073709551616", want: "18446744073709551616"}, // 2^64
		{in: "42.000", want: "42"},
		{in: "", bad: true},
		{in: "10000000000000000000000000", bad: true}, // 26 digits
		{in: "-5", bad: true},
		{in: "12a", bad: true},
		{in: "42.5", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseLSN(tt.in)
		switch {
		case tt.bad && !errors.Is(err, errBadLSN):
			t.Errorf("ParseLSN(%q) = %v, %v; want a bad LSN", tt.in, got, err)
		case !tt.bad && (err != nil || got.String() != tt.want):
			t.Errorf("ParseLSN(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestLSNCmpBeyondUint64(t *testing.T) {
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
			if got := MustParseLSN(a).Cmp(MustParseLSN(b)); got != want {
				t.Errorf("%s Cmp %s = %d, want %d", a, b, got, want)
			}
			if MustParseLSN(a).Big().Cmp(MustParseLSN(b).Big()) != want {
				t.Errorf("big: %s vs %s disagrees with Cmp", a, b)
			}
		}
	}
}

func TestLSNScanAndJSON(t *testing.T) {
	var l LSN
	for _, src := range []any{[]byte("1903345000083031000001"), "1903345000083031000001"} {
		if err := l.Scan(src); err != nil || l != MustParseLSN("1903345000083031000001") {
			t.Errorf("Scan(%v) = %v, %v", src, l, err)
		}
	}
	if err := l.Scan(nil); err != nil || !l.IsZero() {
		t.Errorf("Scan(nil) = %v, %v; want zero", l, err)
	}
	if err := l.Scan(3.5); !errors.Is(err, errBadLSN) {
		t.Errorf("Scan(float) = %v, want a bad LSN", err)
	}
	b, _ := json.Marshal(struct{ L LSN }{MustParseLSN("1903345000083031000001")})
	if string(b) != `{"L":"1903345000083031000001"}` {
		t.Errorf("JSON %s", b)
	}
	var back struct{ L LSN }
	if err := json.Unmarshal(b, &back); err != nil || back.L != MustParseLSN("1903345000083031000001") {
		t.Errorf("round trip: %v, %v", back, err)
	}
}
