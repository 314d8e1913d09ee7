package net

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
)

// listen returns the address of a 127.0.0.1 listener that lives as long
// as the test; the kernel completes connections without Accept.
func listen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

// closedPort returns a 127.0.0.1 address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestReachable(t *testing.T) {
	up1, up2, down := listen(t), listen(t), closedPort(t)
	tests := []struct {
		name       string
		addrs      []string
		maxLatency time.Duration
		ok         bool
		detail     []string
		notDetail  []string
	}{
		{name: "all up", addrs: []string{up1, up2}, ok: true, detail: []string{"2 of 2 reachable, slowest 127.0.0.1:"}},
		{name: "one down", addrs: []string{up1, down}, detail: []string{down + " unreachable after ", "connection refused"}, notDetail: []string{up1}},
		{name: "slow", addrs: []string{up1}, maxLatency: time.Nanosecond, detail: []string{up1 + " slow: connected in ", "max_latency 1ns"}},
		{name: "down and slow both named", addrs: []string{down, up2}, maxLatency: time.Nanosecond, detail: []string{down + " unreachable", "; " + up2 + " slow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &ReachableParams{Addresses: tt.addrs, Timeout: 5 * time.Second, MaxLatency: tt.maxLatency}
			ok, detail, err := reachable(context.Background(), &actions.Env{}, p)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v (%s)", ok, tt.ok, detail)
			}
			for _, d := range tt.detail {
				if !strings.Contains(detail, d) {
					t.Errorf("detail %q lacks %q", detail, d)
				}
			}
			for _, d := range tt.notDetail {
				if strings.Contains(detail, d) {
					t.Errorf("detail %q names %q", detail, d)
				}
			}
		})
	}
}

func TestReachableCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := reachable(ctx, &actions.Env{}, &ReachableParams{Addresses: []string{listen(t)}, Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("err = %v, want context canceled", err)
	}
}

func TestValidateReachable(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
		err    string
	}{
		{name: "names and IPs", values: map[string]any{"addresses": []any{"dc2-sql01.litwareinc.com:1433", "10.0.0.5:5986", "[fd00::5]:1433"}}},
		{name: "latency below timeout", values: map[string]any{"addresses": []any{"a:1"}, "timeout": "2s", "max_latency": "500ms"}},
		{name: "missing", values: map[string]any{}, err: `missing required parameter "addresses"`},
		{name: "empty list", values: map[string]any{"addresses": []any{}}, err: "addresses must list at least one host:port"},
		{name: "no port", values: map[string]any{"addresses": []any{"a:1", "db1"}}, err: `addresses item 2: "db1" is not host:port (IPv6 as [::1]:1433)`},
		{name: "bare IPv6", values: map[string]any{"addresses": []any{"fd00::5:1433"}}, err: `addresses item 1: "fd00::5:1433" is not host:port`},
		{name: "no host", values: map[string]any{"addresses": []any{":1433"}}, err: `addresses item 1: ":1433" has no host`},
		{name: "port name", values: map[string]any{"addresses": []any{"db1:mssql"}}, err: `addresses item 1: "db1:mssql": port "mssql" is not a number from 1 to 65535`},
		{name: "port too big", values: map[string]any{"addresses": []any{"db1:65536"}}, err: `addresses item 1: "db1:65536": port "65536" is not a number from 1 to 65535`},
		{name: "port zero", values: map[string]any{"addresses": []any{"db1:0"}}, err: `addresses item 1: "db1:0": port "0" is not a number from 1 to 65535`},
		{name: "zero timeout", values: map[string]any{"addresses": []any{"a:1"}, "timeout": "0s"}, err: "timeout must be positive, got 0s"},
		{name: "latency over timeout", values: map[string]any{"addresses": []any{"a:1"}, "max_latency": "6s"}, err: "max_latency must be between 0 and timeout (5s), got 6s"},
	}
	r := actions.NewRegistry()
	Register(r)
	typ := r.Type("tcp.reachable")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := actions.Decode(typ.Params, tt.values)
			if err == nil {
				err = typ.Validate(p)
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)) {
				t.Errorf("got %v, want %q", err, tt.err)
			}
		})
	}
}
