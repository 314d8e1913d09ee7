package lab

import (
	"testing"
)

func TestLike(t *testing.T) {
	tests := []struct {
		s, pat string
		want   bool
	}{
		{"mgc", "mgc", true},
		{"MGC", "mgc", true},
		{"mgccomp", "mgc%", true},
		{"mgc_20261126001500.trn", "mgc[_]%.trn", true},
		{"mgccomp_20261126001500.trn", "mgc[_]%.trn", false},
		{"mgc", "m_c", true},
		{"mgc", "m[a-h]c", true},
		{"mxc", "m[a-h]c", false},
		{"mxc", "m[^a-h]c", true},
		{"m-c", "m[a-]c", true},
		{"100%", "100[%]", true},
		{"1000", "100[%]", false},
		{"a.b", "a.b", true},
		{"axb", "a.b", false},
		{"[x", "[x", true},
		{"", "%", true},
		{"é", "_", true},
	}
	for _, tt := range tests {
		t.Run(tt.s+" LIKE "+tt.pat, func(t *testing.T) {
			if got := like(tt.s, tt.pat); got != tt.want {
				t.Errorf("like(%q, %q) = %v, want %v", tt.s, tt.pat, got, tt.want)
			}
		})
	}
}

func TestArithNumberBesideString(t *testing.T) {
	tests := []struct {
		name    string
		l, r    any
		want    any
		wantErr int32
	}{
		{name: "strings concatenate", l: "1", r: "1", want: "11"},
		{name: "int and a numeric string add", l: int64(1), r: "1", want: int64(2)},
		{name: "string and int add", l: " 41 ", r: int64(1), want: int64(42)},
		{name: "not a number", l: "a", r: int64(1), wantErr: 245},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := arith("+", tt.l, tt.r)
			wantSQLResult(t, "arith", got, err, tt.want, tt.wantErr)
		})
	}
}
