package tds

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// freetdsTimeout bounds one tsql session: a client that hangs after login
// (the failure this test guards against) fails the test instead of
// hanging it.
const freetdsTimeout = 60 * time.Second

// TestFreeTDSEncryptedLogin logs in with FreeTDS's tsql, a second client
// independent of go-mssqldb, over TDS 7.4 with encryption required, and
// runs a query. FreeTDS (GnuTLS) hangs after login when a TDS 7.x server
// negotiates TLS 1.3 inside PRELOGIN, which SQL Server never does there.
func TestFreeTDSEncryptedLogin(t *testing.T) {
	tsql, err := exec.LookPath("tsql")
	if err != nil {
		t.Skip("FreeTDS tsql is not installed (Debian: apt-get install freetds-bin; .ci/run installs it)")
	}
	dir := t.TempDir()
	_, cert, key, err := GenerateCertificates(dir, nil)
	if err != nil {
		t.Fatalf("certificates: %v", err)
	}
	rec := &openRecorder{testHandler: newTestHandler(), opened: make(chan *session, 1)}
	srv, _ := startServer(t, rec, Config{CertFile: cert, KeyFile: key})
	host, port, _ := net.SplitHostPort(srv.Addr())
	conf := filepath.Join(dir, "freetds.conf")
	text := fmt.Sprintf("[lab]\n\thost = %s\n\tport = %s\n\ttds version = 7.4\n\tencryption = require\n", host, port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), freetdsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tsql, "-S", "lab", "-U", "sa", "-P", "secret", "-o", "q")
	cmd.Env = append(os.Environ(), "FREETDSCONF="+conf, "TDSDUMP=")
	cmd.Stdin = strings.NewReader("select @@spid\ngo\nexit\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tsql did not finish within %s (hung after login?); output:\n%s", freetdsTimeout, out.String())
	}
	if err != nil {
		t.Fatalf("tsql: %v; output:\n%s", err, out.String())
	}
	var ss *session
	select {
	case ss = <-rec.opened:
	default:
		t.Fatalf("tsql ran but no session was opened; output:\n%s", out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprint(ss.spid)) {
		t.Errorf("tsql output lacks the session id %d:\n%s", ss.spid, out.String())
	}
	if ss.encryption != "full" || ss.tlsVersion != tls.VersionTLS12 {
		t.Errorf("session encryption = %q over %s, want \"full\" over TLS 1.2", ss.encryption, tls.VersionName(ss.tlsVersion))
	}
}

// openRecorder is the test handler, handing each session it opens to
// the test.
type openRecorder struct {
	*testHandler
	opened chan *session
}

func (r *openRecorder) Open(s Session) {
	r.testHandler.Open(s)
	select {
	case r.opened <- s.(*session):
	default:
	}
}
