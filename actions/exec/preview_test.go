package exec

import (
	"strings"
	"testing"
)

func TestQuotePOSIX(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "sqlcmd", want: "sqlcmd"},
		{name: "path and flag", in: "/usr/bin/x=-1,a@b", want: "/usr/bin/x=-1,a@b"},
		{name: "empty", in: "", want: "''"},
		{name: "space", in: "a b", want: "'a b'"},
		{name: "single quote", in: "don't", want: `'don'\''t'`},
		{name: "dollar", in: "$HOME", want: "'$HOME'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quotePOSIX(tt.in); got != tt.want {
				t.Errorf("quotePOSIX(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestQuoteWindows(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "plain", in: `C:\Tools\sqlcmd.exe`, want: `C:\Tools\sqlcmd.exe`},
		{name: "empty", in: "", want: `""`},
		{name: "space", in: `C:\Program Files\x`, want: `"C:\Program Files\x"`},
		{name: "quote", in: `say "hi"`, want: `"say \"hi\""`},
		{name: "trailing backslash", in: `D:\Log Ship\`, want: `"D:\Log Ship\\"`},
		{name: "UNC share", in: `\\dc1-sql01\logship\mgc`, want: `\\dc1-sql01\logship\mgc`},
		{name: "backslashes before quote", in: `a b\"c`, want: `"a b\\\"c"`},
		{name: "quote without space", in: `say"hi`, want: `say\"hi`},
		{name: "tab", in: "a\tb", want: "\"a\tb\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quoteWindows(tt.in); got != tt.want {
				t.Errorf("quoteWindows(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestPreviewShowsCommandDirAndEnvNames(t *testing.T) {
	p := &Params{
		Program: "sqlcmd",
		Args:    []string{"-Q", "SELECT 1"},
		Dir:     "work",
		Env:     map[string]string{"SQLCMDPASSWORD": "hunter2", "A": "b"},
	}
	got := preview(p)
	for _, want := range []string{"sqlcmd -Q ", "SELECT 1", "\nin work", "\nwith env A, SQLCMDPASSWORD"} {
		if !strings.Contains(got, want) {
			t.Errorf("preview %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "hunter2") {
		t.Errorf("preview shows an env value: %q", got)
	}
}
