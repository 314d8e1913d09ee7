package etcdstore

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		want    Config
		wantErr string
	}{
		{name: "three members and a prefix", url: "etcd://10.0.0.1:2379,10.0.0.2:2379,etcd3.example.com:2381/ops/failover",
			want: Config{Endpoints: []string{"10.0.0.1:2379", "10.0.0.2:2379", "etcd3.example.com:2381"}, Prefix: "/ops/failover"}},
		{name: "default port and prefix", url: "etcd://etcd1", want: Config{Endpoints: []string{"etcd1:2379"}, Prefix: DefaultPrefix}},
		{name: "trailing slash", url: "etcd://etcd1:2379/failover/", want: Config{Endpoints: []string{"etcd1:2379"}, Prefix: "/failover"}},
		{name: "IPv6", url: "etcd://[::1]:2379/f", want: Config{Endpoints: []string{"[::1]:2379"}, Prefix: "/f"}},
		{name: "a user", url: "etcd://failover@etcd1:2379/f", want: Config{Endpoints: []string{"etcd1:2379"}, Prefix: "/f", Username: "failover"}},
		{name: "a password is refused", url: "etcd://failover:s3cret-pw@etcd1:2379/f", wantErr: "holds a password: refused"},
		{name: "not etcd", url: "http://etcd1:2379", wantErr: "--state wants etcd://"},
		{name: "a local directory", url: "/var/lib/failover", wantErr: "a local directory is --state-dir"},
		{name: "no host", url: "etcd:///failover", wantErr: "names no host"},
		{name: "an empty host", url: "etcd://a:2379,,b:2379/f", wantErr: "names no host"},
		{name: "a bad prefix", url: "etcd://a:2379/fail over", wantErr: `--state prefix "/fail over"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("the error repeats the password: %v", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseURL = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	files := map[string]string{"/pw": "s3cret\n", "/ca.pem": "not a certificate"}
	read := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	tests := []struct {
		name     string
		url      string
		env      map[string]string
		wantUser string
		wantPW   string
		wantTO   time.Duration
		wantErr  string
	}{
		{name: "nothing set", url: "etcd://a/f"},
		{name: "user and password", env: map[string]string{EnvUser: "failover", EnvPassword: "pw"}, wantUser: "failover", wantPW: "pw"},
		{name: "password from a file, newline cut", env: map[string]string{EnvUser: "failover", EnvPasswordFile: "/pw"},
			wantUser: "failover", wantPW: "s3cret"},
		{name: "user in the URL", url: "etcd://failover@a/f", env: map[string]string{EnvPassword: "pw"}, wantUser: "failover", wantPW: "pw"},
		{name: "two users", url: "etcd://alice@a/f", env: map[string]string{EnvUser: "bob"}, wantErr: "name one"},
		{name: "both passwords", env: map[string]string{EnvUser: "u", EnvPassword: "a", EnvPasswordFile: "/pw"}, wantErr: "set one"},
		{name: "a password without a user", env: map[string]string{EnvPassword: "pw"}, wantErr: "no user"},
		{name: "a missing password file", env: map[string]string{EnvUser: "u", EnvPasswordFile: "/nope"}, wantErr: "read " + EnvPasswordFile},
		{name: "a certificate without its key", env: map[string]string{EnvCert: "/c.pem"}, wantErr: "go together"},
		{name: "a CA file that holds none", env: map[string]string{EnvCA: "/ca.pem"}, wantErr: "holds no PEM certificate"},
		{name: "a timeout", env: map[string]string{EnvTimeout: "2s"}, wantTO: 2 * time.Second},
		{name: "a bad timeout", env: map[string]string{EnvTimeout: "soon"}, wantErr: "positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.url == "" {
				tt.url = "etcd://a/f"
			}
			cfg, err := ParseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.FromEnv(func(k string) string { return tt.env[k] }, read)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || cfg.Username != tt.wantUser || cfg.Password != tt.wantPW || cfg.Timeout != tt.wantTO {
				t.Errorf("FromEnv: %+v, %v", cfg, err)
			}
		})
	}
}

func TestKeysSortAsNumbers(t *testing.T) {
	if !(recKey("/p/runs/a/r", 9) < recKey("/p/runs/a/r", 10) && recKey("/p/runs/a/r", 99) < recEnd("/p/runs/a/r")) {
		t.Error("record keys do not sort as their numbers, or past the end of their range")
	}
}
