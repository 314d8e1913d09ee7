package tds

import (
	"crypto/tls"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEncryptModes(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key, err := GenerateCertificates(dir, nil)
	if err != nil {
		t.Fatalf("certificates: %v", err)
	}
	other, _, _, err := GenerateCertificates(filepath.Join(dir, "other"), nil)
	if err != nil {
		t.Fatalf("other certificates: %v", err)
	}
	srv, dsn := startServer(t, newTestHandler(), Config{CertFile: cert, KeyFile: key})
	base := strings.TrimSuffix(dsn, "&encrypt=disable&dial+timeout=5") + "&dial+timeout=5"
	// TDS 7.x encryption negotiates TLS 1.2 at most, as SQL Server does
	// (FreeTDS hangs when offered 1.3 there); strict (TDS 8.0) allows 1.3.
	tests := []struct {
		name    string
		params  string
		want    string // session encryption, or the error text
		wantErr bool
		tls     uint16 // the TLS version negotiated
	}{
		{"disable", "&encrypt=disable", "", false, 0},
		{"default (login only, trusted)", "", "login", false, tls.VersionTLS12},
		{"false with CA", "&encrypt=false&certificate=" + ca, "login", false, tls.VersionTLS12},
		{"false with wrong CA", "&encrypt=false&certificate=" + other, "certificate", true, 0},
		{"true with CA", "&encrypt=true&certificate=" + ca, "full", false, tls.VersionTLS12},
		{"true trusting", "&encrypt=true&trustservercertificate=true", "full", false, tls.VersionTLS12},
		{"true without trust", "&encrypt=true", "certificate", true, 0},
		{"strict with CA", "&encrypt=strict&certificate=" + ca, "strict", false, tls.VersionTLS13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t, base+tt.params)
			var spid int
			err := db.QueryRowContext(ctxTimeout(t, 5*time.Second), "select @@spid").Scan(&spid)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			if got := encryptionOf(t, srv, spid); got != tt.want {
				t.Fatalf("session encryption = %q, want %q", got, tt.want)
			}
			if got := tlsVersionOf(t, srv, spid); got != tt.tls {
				t.Fatalf("TLS version = %s, want %s", tls.VersionName(got), tls.VersionName(tt.tls))
			}
			checkLargeExchange(t, db)
		})
	}
}

// checkLargeExchange sends a multi-packet RPC and reads a multi-packet
// result over the connection's transport.
func checkLargeExchange(t *testing.T, db *sql.DB) {
	t.Helper()
	long := strings.Repeat("é", 6000)
	var got string
	if err := db.QueryRow("select @v", sql.Named("v", long)).Scan(&got); err != nil || got != long {
		t.Fatalf("echo of %d chars: got %d chars, %v", len(long), len(got), err)
	}
}

func encryptionOf(t *testing.T, srv *Server, spid int) string {
	t.Helper()
	return sessionOf(t, srv, spid).encryption
}

func tlsVersionOf(t *testing.T, srv *Server, spid int) uint16 {
	t.Helper()
	return sessionOf(t, srv, spid).tlsVersion
}

func sessionOf(t *testing.T, srv *Server, spid int) *session {
	t.Helper()
	s, ok := srv.Session(spid)
	if !ok {
		t.Fatalf("no session %d", spid)
	}
	return s.(*session)
}

func TestEncryptionRefusedWithoutCertificate(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, strings.Replace(dsn, "encrypt=disable", "encrypt=true&trustservercertificate=true", 1))
	err := db.PingContext(ctxTimeout(t, 5*time.Second))
	if err == nil || !strings.Contains(err.Error(), "does not support encryption") {
		t.Fatalf("ping = %v, want the client to refuse", err)
	}
}

func TestGenerateCertificatesReuses(t *testing.T) {
	dir := t.TempDir()
	ca1, _, key1, err := GenerateCertificates(dir, []string{"lab.example"})
	if err != nil {
		t.Fatal(err)
	}
	pem1, _ := os.ReadFile(ca1)
	if info, err := os.Stat(key1); err != nil || info.Mode().Perm()&0o077 != 0 {
		t.Errorf("key file mode = %v, %v; want private", info.Mode(), err)
	}
	tests := []struct {
		name  string
		hosts []string
		same  bool
	}{
		{"same hosts", []string{"lab.example"}, true},
		{"subset of hosts", nil, true},
		{"new host", []string{"other.example"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca, _, _, err := GenerateCertificates(dir, tt.hosts)
			if err != nil {
				t.Fatal(err)
			}
			pem, _ := os.ReadFile(ca)
			if (string(pem) == string(pem1)) != tt.same {
				t.Fatalf("CA reused = %v, want %v", string(pem) == string(pem1), tt.same)
			}
		})
	}
}

func TestGenerateCertificatesReplacesDamaged(t *testing.T) {
	dir := t.TempDir()
	_, cert, _, err := GenerateCertificates(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cert, []byte("garbage"), 0o644)
	_, cert, key, err := GenerateCertificates(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tlsConfig(cert, key); err != nil {
		t.Fatalf("regenerated pair does not load: %v", err)
	}
}

func TestNegotiatedPacketSize(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key, err := GenerateCertificates(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, dsn := startServer(t, newTestHandler(), Config{CertFile: cert, KeyFile: key})
	tests := []struct {
		name, params string
		want         int
	}{
		{"smallest, plain", "&packet+size=512", 512},
		{"smallest, encrypted", "&packet+size=512&encrypt=true&certificate=" + ca, 512},
		{"largest", "&packet+size=32767", 32767},
		{"default", "", defaultPacketSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := strings.Replace(dsn, "&encrypt=disable", "", 1)
			if !strings.Contains(tt.params, "encrypt=") {
				u += "&encrypt=disable"
			}
			db := openDB(t, u+tt.params)
			var spid int
			if err := db.QueryRow("select @@spid").Scan(&spid); err != nil {
				t.Fatal(err)
			}
			s, _ := srv.Session(spid)
			if got := s.(*session).pw.size; got != tt.want {
				t.Fatalf("packet size = %d, want %d", got, tt.want)
			}
			checkLargeExchange(t, db)
		})
	}
}
