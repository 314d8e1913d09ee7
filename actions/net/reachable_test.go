package net

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"sync"
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

// TestReachableOverLoopback uses the real dialer, without a latency
// rule (the times measured depend on the machine).
func TestReachableOverLoopback(t *testing.T) {
	up1, up2, down := listen(t), listen(t), closedPort(t)
	tests := []struct {
		name      string
		addrs     []string
		ok        bool
		detail    []string
		notDetail []string
	}{
		{name: "all up", addrs: []string{up1, up2}, ok: true, detail: []string{"2 of 2 reachable: " + up1 + " median "}},
		{name: "one down", addrs: []string{up1, down}, detail: []string{down + " unreachable after ", "connection refused"}, notDetail: []string{up1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &ReachableParams{Addresses: tt.addrs, Timeout: 5 * time.Second, Samples: 3}
			res, err := reachableCheck{}.Check(context.Background(), &actions.Env{}, p)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok {
				t.Errorf("ok = %v, want %v (%s)", res.OK, tt.ok, res.Detail)
			}
			for _, d := range tt.detail {
				if !strings.Contains(res.Detail, d) {
					t.Errorf("detail %q lacks %q", res.Detail, d)
				}
			}
			for _, d := range tt.notDetail {
				if strings.Contains(res.Detail, d) {
					t.Errorf("detail %q names %q", res.Detail, d)
				}
			}
		})
	}
}

// scripted is a connect function whose connect times are given per
// address, sample by sample; an address without times is refused.
type scripted struct {
	mu    sync.Mutex
	times map[string][]time.Duration
	calls map[string]int
}

func (s *scripted) connect(_ context.Context, addr string, _ time.Duration) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	ts, ok := s.times[addr]
	if !ok {
		return 3 * time.Millisecond, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	d := ts[s.calls[addr]%len(ts)]
	s.calls[addr]++
	return d, nil
}

func msec(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func TestLatencyRule(t *testing.T) {
	near, far, gone := "dc2-pc01.litwareinc.com:5061", "dc1-pc01.litwareinc.com:5061", "dc1-sql01.litwareinc.com:1433"
	times := map[string][]time.Duration{
		near: {msec(1.2), msec(0.9), msec(30), msec(1.1), msec(1.0)}, // one slow sample: the median is 1.1ms
		far:  {msec(35), msec(12), msec(52), msec(30), msec(40)},     // median 35ms
	}
	tests := []struct {
		name    string
		addrs   []string
		samples int
		max     time.Duration
		ok      bool
		detail  string
	}{
		{name: "near passes despite one slow sample", addrs: []string{near}, samples: 5, max: msec(10), ok: true,
			detail: "1 of 1 reachable: " + near + " median 1.1ms (1.2ms 900µs 30ms 1.1ms 1ms)"},
		{name: "far is slow, named with its samples", addrs: []string{near, far}, samples: 5, max: msec(10),
			detail: far + " slow: median connect time 35ms over 5 samples (35ms 12ms 52ms 30ms 40ms), max_latency 10ms"},
		{name: "even number of samples: mean of the middle two", addrs: []string{far}, samples: 4, max: msec(33), ok: true,
			detail: "1 of 1 reachable: " + far + " median 32.5ms (35ms 12ms 52ms 30ms)"},
		{name: "no rule: far passes", addrs: []string{far}, samples: 5, ok: true},
		{name: "unreachable and slow both named", addrs: []string{gone, far}, samples: 5, max: msec(10),
			detail: gone + " unreachable after 3ms: connection refused; " + far + " slow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := reachableCheck{connect: (&scripted{times: times}).connect}
			p := &ReachableParams{Addresses: tt.addrs, Timeout: 5 * time.Second, MaxLatency: tt.max, Samples: tt.samples}
			res, err := c.Check(context.Background(), &actions.Env{}, p)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok {
				t.Errorf("ok = %v, want %v (%s)", res.OK, tt.ok, res.Detail)
			}
			if !strings.Contains(res.Detail, tt.detail) {
				t.Errorf("detail = %q\nwant it to hold %q", res.Detail, tt.detail)
			}
		})
	}
}

func TestLatencyOutputs(t *testing.T) {
	near, far, gone := "a:1", "b:2", "c:3"
	c := reachableCheck{connect: (&scripted{times: map[string][]time.Duration{
		near: {msec(1), msec(2), msec(3)}, far: {msec(20), msec(10), msec(30)}}}).connect}
	res, err := c.Check(context.Background(), &actions.Env{}, &ReachableParams{Addresses: []string{near, far, gone}, Timeout: time.Second, Samples: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"addresses": []any{
			map[string]any{"address": near, "reachable": true, "samples_ms": []any{1.0, 2.0, 3.0}, "median_ms": 2.0},
			map[string]any{"address": far, "reachable": true, "samples_ms": []any{20.0, 10.0, 30.0}, "median_ms": 20.0},
			map[string]any{"address": gone, "reachable": false, "samples_ms": []any{}, "error": "connection refused"},
		},
		"slowest": far, "slowest_median_ms": 20.0,
	}
	if !reflect.DeepEqual(res.Outputs, want) {
		t.Errorf("outputs = %#v\nwant %#v", res.Outputs, want)
	}
}

func TestSamplesStopAtTheFirstFailure(t *testing.T) {
	calls := 0
	c := reachableCheck{connect: func(context.Context, string, time.Duration) (time.Duration, error) {
		calls++
		if calls == 2 {
			return msec(5), errors.New("i/o timeout")
		}
		return msec(1), nil
	}}
	res, err := c.Check(context.Background(), &actions.Env{}, &ReachableParams{Addresses: []string{"a:1"}, Timeout: time.Second, Samples: 5})
	if err != nil || res.OK || calls != 2 || !strings.Contains(res.Detail, "a:1 unreachable after 5ms: i/o timeout") {
		t.Errorf("res = %+v, err %v, calls %d", res, err, calls)
	}
}

func TestReachableCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := reachableCheck{}.Check(ctx, &actions.Env{}, &ReachableParams{Addresses: []string{listen(t)}, Timeout: time.Second, Samples: 1})
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
		{name: "latency below timeout", values: map[string]any{"addresses": []any{"a:1"}, "timeout": "2s", "max_latency": "500ms", "samples": 9}},
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
		{name: "zero samples", values: map[string]any{"addresses": []any{"a:1"}, "samples": 0}, err: "samples must be from 1 to 100, got 0"},
		{name: "too many samples", values: map[string]any{"addresses": []any{"a:1"}, "samples": 101}, err: "samples must be from 1 to 100, got 101"},
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
