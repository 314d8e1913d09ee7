package etcdstore_test

import (
	"os"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/internal/etcdtest"
)

// TestTLSClientCertificate: against a member that requires client
// certificates, a store opened from a --state URL and the environment's
// FAILOVER_ETCD_CA, _CERT and _KEY works; without the certificate, or
// trusting another CA, every request fails (within the timeout) and
// nothing is written.
func TestTLSClientCertificate(t *testing.T) {
	certs := etcdtest.NewCerts(t)
	c := etcdtest.Start(t, etcdtest.Options{Members: 1, TLS: &certs})
	tests := []struct {
		name   string
		env    map[string]string
		wantOK bool
	}{
		{name: "CA and client certificate", env: map[string]string{etcdstore.EnvCA: certs.CA,
			etcdstore.EnvCert: certs.ClientCert, etcdstore.EnvKey: certs.ClientKey}, wantOK: true},
		{name: "no client certificate", env: map[string]string{etcdstore.EnvCA: certs.CA}},
		{name: "another CA", env: map[string]string{etcdstore.EnvCA: certs.OtherCA,
			etcdstore.EnvCert: certs.ClientCert, etcdstore.EnvKey: certs.ClientKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := etcdstore.ParseURL(c.URL("/tls"))
			if err != nil {
				t.Fatal(err)
			}
			tt.env[etcdstore.EnvTimeout] = "2s"
			if err := cfg.FromEnv(func(k string) string { return tt.env[k] }, os.ReadFile); err != nil {
				t.Fatal(err)
			}
			s, err := etcdstore.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			h, err := s.Acquire("plan", lock.Info{RunID: "r1", Lease: 5 * time.Second})
			if tt.wantOK {
				if err != nil {
					t.Fatalf("Acquire over TLS: %v", err)
				}
				if err := h.Release(); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "etcd://127.0.0.1") {
				t.Fatalf("Acquire without a good certificate: %v, want a failure naming the store", err)
			}
		})
	}
}

// TestUserAndPassword: with etcd authentication on, the user and the
// password from the environment (the password from a file here) are
// what the store authenticates with; a wrong password is refused.
func TestUserAndPassword(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{Members: 1})
	admin := c.Client(t)
	ctx := t.Context()
	for _, step := range []func() error{
		func() error { _, err := admin.UserAdd(ctx, "root", "root-pw"); return err },
		func() error { _, err := admin.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := admin.UserAdd(ctx, "failover", "right-pw"); return err },
		func() error { _, err := admin.RoleAdd(ctx, "failover"); return err },
		func() error {
			_, err := admin.RoleGrantPermission(ctx, "failover", "/auth/", "/auth0", clientv3.PermissionType(clientv3.PermReadWrite))
			return err
		},
		func() error { _, err := admin.UserGrantRole(ctx, "failover", "failover"); return err },
		func() error { _, err := admin.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	pwFile := t.TempDir() + "/pw"
	for _, tt := range []struct {
		name, pw string
		wantOK   bool
	}{{"the right password", "right-pw\n", true}, {"a wrong password", "wrong-pw\n", false}} {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(pwFile, []byte(tt.pw), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := etcdstore.ParseURL(c.URL("/auth"))
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{etcdstore.EnvUser: "failover", etcdstore.EnvPasswordFile: pwFile}
			if err := cfg.FromEnv(func(k string) string { return env[k] }, os.ReadFile); err != nil {
				t.Fatal(err)
			}
			s, err := etcdstore.Open(cfg)
			if err == nil {
				defer s.Close()
				var h store.Held
				if h, err = s.Acquire("plan", lock.Info{RunID: "r1"}); err == nil {
					err = h.Release()
				}
			}
			if (err == nil) != tt.wantOK {
				t.Fatalf("with %s: %v", tt.name, err)
			}
			if err != nil && strings.Contains(err.Error(), "wrong-pw") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}
