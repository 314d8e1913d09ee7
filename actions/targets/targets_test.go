package targets

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
)

// decodeAndValidate decodes fields for a target type as the loader does
// and applies Validate.
func decodeAndValidate(t *testing.T, r *actions.Registry, typ string, fields map[string]any) (any, error) {
	t.Helper()
	tt := r.TargetType(typ)
	if tt == nil {
		t.Fatalf("target type %s not registered", typ)
	}
	p, err := actions.Decode(tt.Params, fields)
	if err != nil {
		return nil, err
	}
	return p, Validate(typ, p)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		typ    string
		fields map[string]any
		err    string
	}{
		{name: "sql integrated auth", typ: "sqlserver", fields: map[string]any{"server": "dc2-sql01.litwareinc.com"}},
		{name: "sql login", typ: "sqlserver", fields: map[string]any{"server": "dc2-sql01", "instance": "PCHAT", "user": "failover", "password": "x", "encrypt": "true", "ca_file": `C:\certs\ca.pem`}},
		{name: "sql dsn", typ: "sqlserver", fields: map[string]any{"dsn": "sqlserver://u:p@h:1433", "database": "mgc"}},
		{name: "sql dsn excludes", typ: "sqlserver", fields: map[string]any{"dsn": "sqlserver://h", "server": "h", "password": "p"}, err: "dsn excludes server, password: give either a dsn or the connection fields"},
		{name: "sql no server", typ: "sqlserver", fields: map[string]any{"user": "u"}, err: "server is required unless dsn is given"},
		{name: "sql instance in server", typ: "sqlserver", fields: map[string]any{"server": `dc2-sql01\PCHAT`}, err: `server "dc2-sql01\\PCHAT" holds an instance: write server: dc2-sql01 and instance: PCHAT`},
		{name: "sql port in server", typ: "sqlserver", fields: map[string]any{"server": "dc2-sql01,1533"}, err: `server "dc2-sql01,1533" holds a port: write server: dc2-sql01 and port: 1533`},
		{name: "sql bad port", typ: "sqlserver", fields: map[string]any{"server": "h", "port": 70000}, err: "port must be from 1 to 65535, got 70000"},
		{name: "sql password without user", typ: "sqlserver", fields: map[string]any{"server": "h", "password": "p"}, err: "password needs user"},
		{name: "sql bad encrypt", typ: "sqlserver", fields: map[string]any{"server": "h", "encrypt": "yes"}, err: `parameter "encrypt": "yes" is not one of disable, false, true, strict`},
		{name: "sql ca and trust", typ: "sqlserver", fields: map[string]any{"server": "h", "ca_file": "ca.pem", "trust_server_certificate": true}, err: "ca_file and trust_server_certificate exclude each other"},
		{name: "sql disable with ca", typ: "sqlserver", fields: map[string]any{"server": "h", "encrypt": "disable", "ca_file": "ca.pem"}, err: "encrypt: disable turns TLS off"},
		{name: "sql strict with trust", typ: "sqlserver", fields: map[string]any{"server": "h", "encrypt": "strict", "trust_server_certificate": true}, err: "encrypt: strict always validates"},
		{name: "sql named instance and port", typ: "sqlserver", fields: map[string]any{"server": "dc2-sql01", "instance": "PCHAT", "port": 1533}},
		{name: "sql server with a path", typ: "sqlserver", fields: map[string]any{"server": "dc2-sql01/x"}, err: `server "dc2-sql01/x" is not a host name or IP address`},
		{name: "sql server with credentials", typ: "sqlserver", fields: map[string]any{"server": "u:p@dc2-sql01"}, err: `server "u:p@dc2-sql01" is not a host name`},
		{name: "sql bad instance", typ: "sqlserver", fields: map[string]any{"server": "h", "instance": "A/B"}, err: `instance "A/B" is not an instance name`},
		{name: "sql database too long", typ: "sqlserver", fields: map[string]any{"server": "h", "database": strings.Repeat("d", 129)}, err: "database \"ddd"},
		{name: "sql app_name too long", typ: "sqlserver", fields: map[string]any{"server": "h", "app_name": strings.Repeat("a", 65)}, err: "app_name must be at most 64 characters, got 65"},
		{name: "sql app_name control", typ: "sqlserver", fields: map[string]any{"server": "h", "app_name": "a\nb"}, err: `app_name "a\nb" holds a control character`},
		{name: "sql dsn with bad app_name", typ: "sqlserver", fields: map[string]any{"dsn": "sqlserver://h", "app_name": "a\x00"}, err: "app_name"},
		{name: "sql dsn ca and trust", typ: "sqlserver", fields: map[string]any{"dsn": "sqlserver://h", "ca_file": "ca.pem", "trust_server_certificate": true}, err: "ca_file and trust_server_certificate exclude each other"},
		{name: "sql negative timeout", typ: "sqlserver", fields: map[string]any{"server": "h", "connect_timeout": "-1s"}, err: `parameter "connect_timeout"`},
		{name: "sql unknown field", typ: "sqlserver", fields: map[string]any{"server": "h", "host": "x"}, err: `unknown parameter "host"`},
		{name: "ps local", typ: "powershell", fields: map[string]any{"modules": []any{"Lync"}}},
		{name: "ps remote CredSSP", typ: "powershell", fields: map[string]any{"computer": "dc2-fe01", "user": `LITWARE\fo`, "password": "p", "authentication": "CredSSP"}},
		{name: "ps remote current user", typ: "powershell", fields: map[string]any{"computer": "dc2-fe01", "configuration_name": "Microsoft.PowerShell"}},
		{name: "ps credentials without computer", typ: "powershell", fields: map[string]any{"user": "u", "password": "p"}, err: "user, password, authentication and configuration_name need computer"},
		{name: "ps user without password", typ: "powershell", fields: map[string]any{"computer": "c", "user": "u"}, err: "user needs password"},
		{name: "ps password without user", typ: "powershell", fields: map[string]any{"computer": "c", "password": "p"}, err: "password needs user"},
		{name: "ps CredSSP without user", typ: "powershell", fields: map[string]any{"computer": "c", "authentication": "CredSSP"}, err: "authentication: CredSSP needs user and password"},
		{name: "ps empty module", typ: "powershell", fields: map[string]any{"modules": []any{"Lync", " "}}, err: "modules: item 2 is empty"},
		{name: "ps blank executable", typ: "powershell", fields: map[string]any{"executable": "  "}, err: "executable must not be blank"},
		{name: "ps executable and args", typ: "powershell", fields: map[string]any{"executable": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "args": []any{"-Version", "5.1"}}},
		{name: "ps NUL in args", typ: "powershell", fields: map[string]any{"args": []any{"-STA", "a\x00b"}}, err: "args: item 2 holds a NUL character"},
		{name: "host", typ: "host", fields: map[string]any{"address": "dc2-fe01.litwareinc.com"}},
		{name: "host IPv6", typ: "host", fields: map[string]any{"address": "fd00::5"}},
		{name: "host missing", typ: "host", fields: map[string]any{}, err: `missing required parameter "address"`},
		{name: "host with port", typ: "host", fields: map[string]any{"address": "fe01:5986"}, err: `address "fe01:5986" holds a port`},
		{name: "host with path", typ: "host", fields: map[string]any{"address": `\\fe01\share`}, err: `address "\\\\fe01\\share" is not a host name or IP address`},
	}
	r := actions.NewRegistry()
	Register(r)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeAndValidate(t, r, tt.typ, tt.fields)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)) {
				t.Errorf("got %v, want %q", err, tt.err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	r := actions.NewRegistry()
	Register(r)
	p, err := decodeAndValidate(t, r, "sqlserver", map[string]any{"server": "h"})
	if err != nil {
		t.Fatal(err)
	}
	// An omitted database, encrypt and app_name are decided when the
	// connection is built (master; true with the certificate validated;
	// failover/VERSION), so that a dsn's own can be told from a default.
	if s := p.(*SQLServer); s.Database != "" || s.AppName != "" || s.Encrypt != "" || s.ConnectTimeout != 30*time.Second {
		t.Errorf("defaults = %+v, want database, app_name and encrypt unset, connect_timeout 30s", s)
	}
	p, err = decodeAndValidate(t, r, "powershell", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	want := "pwsh"
	if runtime.GOOS == "windows" {
		want = "powershell.exe"
	}
	if ps := p.(*PowerShell); ps.Executable != "" || ps.Program() != want {
		t.Errorf("executable = %q, program %q; want none given and %s", ps.Executable, ps.Program(), want)
	}
}

func TestSecretFields(t *testing.T) {
	r := actions.NewRegistry()
	Register(r)
	want := map[string][]string{"sqlserver": {"password", "dsn"}, "powershell": {"password"}, "host": nil}
	for typ, secret := range want {
		t.Run(typ, func(t *testing.T) {
			var got []string
			for _, s := range r.TargetSpecs(typ) {
				if s.Secret {
					got = append(got, s.Name)
				}
			}
			if strings.Join(got, ",") != strings.Join(secret, ",") {
				t.Errorf("secret-capable fields = %v, want %v", got, secret)
			}
		})
	}
}

func TestValidateUnknownType(t *testing.T) {
	if err := Validate("ftp", nil); err == nil || err.Error() != `unknown target type "ftp"` {
		t.Errorf("Validate(ftp) = %v", err)
	}
}

func TestSQLServerWarnings(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]any
		want   []string // prefixes
	}{
		{name: "default is encrypted and validated", fields: map[string]any{"server": "h"}},
		{name: "strict", fields: map[string]any{"server": "h", "encrypt": "strict"}},
		{name: "true with a CA", fields: map[string]any{"server": "h", "encrypt": "true", "ca_file": "ca.pem"}},
		{name: "disable", fields: map[string]any{"server": "h", "encrypt": "disable"}, want: []string{"encrypt: disable sends everything in clear text"}},
		{name: "false", fields: map[string]any{"server": "h", "encrypt": "false"}, want: []string{"encrypt: false encrypts only the login"}},
		{name: "trust", fields: map[string]any{"server": "h", "trust_server_certificate": true}, want: []string{"trust_server_certificate: true accepts any certificate"}},
		{name: "false and trust", fields: map[string]any{"dsn": "sqlserver://h", "encrypt": "false", "trust_server_certificate": true},
			want: []string{"encrypt: false", "trust_server_certificate: true"}},
	}
	r := actions.NewRegistry()
	Register(r)
	tt0 := r.TargetType("sqlserver")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodeAndValidate(t, r, "sqlserver", tt.fields)
			if err != nil {
				t.Fatal(err)
			}
			got := tt0.Warnings(p)
			if len(got) != len(tt.want) {
				t.Fatalf("warnings = %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("warning %d = %q, want %q…", i, got[i], tt.want[i])
				}
			}
		})
	}
	if w := r.TargetType("host").Warnings(&Host{Address: "h"}); !reflect.DeepEqual(w, []string(nil)) {
		t.Errorf("host warnings = %q, want none", w)
	}
}
