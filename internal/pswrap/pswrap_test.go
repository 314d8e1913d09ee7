package pswrap

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "'plain'"},
		{"", "''"},
		{"don't", "'don''t'"},
		{"‘curly’ ‚low‛", "'‘‘curly’’ ‚‚low‛‛'"},
		{"$(Remove-Item C:\\) `n \"x\" ;", "'$(Remove-Item C:\\) `n \"x\" ;'"},
		{"two\nlines", "'two\nlines'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back, rest, err := unquotePrefix(Quote(tt.in)); err != nil || back != tt.in || rest != "" {
			t.Errorf("unquote(Quote(%q)) = %q, %q, %v", tt.in, back, rest, err)
		}
	}
}

func TestTrimDash(t *testing.T) {
	for in, want := range map[string]string{"-PoolState": "PoolState", "–PoolState": "PoolState", "—X": "X", "―X": "X", "Identity": "Identity", "": ""} {
		if got := TrimDash(in); got != want {
			t.Errorf("TrimDash(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsMarkerLine(t *testing.T) {
	for line, want := range map[string]bool{
		payloadStart: true, payloadEnd: true, "  # <<< failover payload": true, "# >>> failover anything": true,
		"# failover payload": false, "Get-CsPool # <<< failover": false, "": false,
	} {
		if got := IsMarkerLine(line); got != want {
			t.Errorf("IsMarkerLine(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestLiteral(t *testing.T) {
	tests := []struct {
		in   any
		want string
		err  string
	}{
		{in: "a'b", want: "'a''b'"},
		{in: int64(5), want: "5"},
		{in: int64(-5), want: "(-5)"},
		{in: 2.5, want: "2.5"},
		{in: 1e21, want: "1e+21"},
		{in: true, want: "$true"},
		{in: false, want: "$false"},
		{in: nil, want: "$null"},
		{in: []any{"a", int64(1), nil}, want: "@('a', 1, $null)"},
		{in: []any{}, want: "@()"},
		{in: []any{[]any{"x"}}, err: "item 1: a list inside a list is not supported"},
		{in: map[string]any{"Add": "x"}, err: "a mapping is not supported"},
		{in: "nul\x00", err: "text holds a NUL character"},
	}
	for _, tt := range tests {
		got, err := Literal(tt.in)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("Literal(%v) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Literal(%v) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	s := "Set-CsPersistentChatState –PoolState 'Köln' 😀\n"
	enc := Encode(s)
	if enc != Encode(s) || strings.ContainsAny(enc, " \n") {
		t.Fatalf("encoded = %q", enc)
	}
	got, err := Decode(enc)
	if err != nil || got != s {
		t.Errorf("Decode(Encode(s)) = %q, %v", got, err)
	}
	// PowerShell's own example: 'dir "c:\program files" ' (about_PowerShell_exe).
	if Encode(`dir "c:\program files" `) != "ZABpAHIAIAAiAGMAOgBcAHAAcgBvAGcAcgBhAG0AIABmAGkAbABlAHMAIgAgAA==" {
		t.Errorf("Encode differs from powershell.exe's documented example: %s", Encode(`dir "c:\program files" `))
	}
	if _, err := Decode("!!"); err == nil {
		t.Error("Decode of bad base64 succeeded")
	}
	if _, err := Decode("YQ=="); err == nil {
		t.Error("Decode of an odd number of bytes succeeded")
	}
}

func TestBuildParseRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		w    Wrapper
	}{
		{name: "local", w: Wrapper{Modules: []string{"Lync"}, Body: "Get-CsPersistentChatState -Identity 'service:a'"}},
		{name: "remote current user", w: Wrapper{Body: "x\n", Remote: &Remote{Computer: "dc2-fe01.litwareinc.com", ConfigurationName: "Microsoft.PowerShell"}}},
		{name: "remote with credential", w: Wrapper{Modules: []string{"SkypeForBusiness"}, Body: "@'\nhere\n'@",
			Remote: &Remote{Computer: "o'brien", User: `LITWARE\fo’`, Authentication: "CredSSP"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := Build(&tt.w)
			got, err := Parse(script)
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, script)
			}
			if lines := strings.Split(script, "\n"); !strings.HasPrefix(strings.Join(lines[got.BodyLine-1:], "\n"), got.Body) {
				t.Errorf("BodyLine %d is %q, not where the body starts", got.BodyLine, lines[got.BodyLine-1])
			}
			wantBody := strings.TrimSuffix(tt.w.Payload(), "\n")
			wantBody = strings.TrimPrefix(wantBody, payloadPreferences)
			if strings.TrimSuffix(got.Body, "\n") != wantBody {
				t.Errorf("body = %q, want %q", got.Body, wantBody)
			}
			switch {
			case tt.w.Remote == nil && got.Remote != nil:
				t.Errorf("remote = %+v, want local", got.Remote)
			case tt.w.Remote != nil && (got.Remote == nil || *got.Remote != *tt.w.Remote):
				t.Errorf("remote = %+v, want %+v", got.Remote, tt.w.Remote)
			}
			if crlf, err := Parse(strings.ReplaceAll(script, "\n", "\r\n")); err != nil || crlf.Body != got.Body {
				t.Errorf("Parse with CRLF: %v", err)
			}
		})
	}
}

func TestBuildShape(t *testing.T) {
	script := Build(&Wrapper{Modules: []string{"Lync"}, Body: "Set-CsPersistentChatState -PoolState 'FailedOver'",
		Remote: &Remote{Computer: "fe", User: "u", Authentication: "CredSSP"}})
	for _, want := range []string{
		"$ErrorActionPreference = 'Stop'\n",
		"[Console]::OutputEncoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false\n",
		"$PSDefaultParameterValues = @{ '*:Confirm' = $false }\n",
		"[Console]::In.ReadLine()",
		"$result = @(Invoke-Command -ComputerName 'fe' -Credential $credential -Authentication 'CredSSP' -ErrorAction Stop -ScriptBlock {\n",
		"Import-Module -Name 'Lync'\nSet-CsPersistentChatState -PoolState 'FailedOver'\n# <<< failover payload\n",
		"'<<<FAILOVER-JSON>>>' + $json + '<<<END>>>'",
		"exit 1\n}\n",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	good := Build(&Wrapper{Body: "x", Remote: &Remote{Computer: "fe", User: "u"}})
	tests := []struct{ name, script, err string }{
		{name: "not a wrapper", script: "Get-Date", err: "not a failover wrapper"},
		{name: "no payload end", script: strings.Replace(good, payloadEnd, "# end", 1), err: "malformed wrapper: the payload is not followed"},
		{name: "epilogue changed", script: strings.Replace(good, "exit 1\n", "exit 2\n", 1), err: "malformed wrapper: the payload is not followed"},
		{name: "credential not passed", script: strings.Replace(good, " -Credential $credential", "", 1), err: "malformed wrapper: a credential is read but not passed"},
		{name: "extra flag", script: strings.Replace(good, " -ErrorAction Stop", " -Port 5 -ErrorAction Stop", 1), err: "malformed wrapper: unexpected"},
		{name: "preferences changed", script: strings.Replace(good, "$ConfirmPreference = 'None'\n", "", 1), err: "malformed wrapper: the payload does not begin with the preferences"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.script)
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("Parse = %v, want %q", err, tt.err)
			}
		})
	}
}
