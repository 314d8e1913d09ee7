package net

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/failover-dev/failover/actions"
)

// ReachableParams are the parameters of tcp.reachable.
type ReachableParams struct {
	Addresses  []string      `param:"addresses,required" doc:"host:port pairs to connect to, e.g. dc2-sql01.litwareinc.com:1433 or [fd00::5]:5986."`
	Timeout    time.Duration `param:"timeout" default:"5s" doc:"How long one connection attempt may take."`
	MaxLatency time.Duration `param:"max_latency" doc:"If set, an address whose median connect time is longer fails the check (slow): the runbook's rule that the active servers and the new primary database must be in one datacenter or on a low-latency link."`
	Samples    int           `param:"samples" default:"5" doc:"Connections made to each address, one after another; their median is compared with max_latency (1 to 100)."`
}

// maxSamples bounds samples: each is a connection to a server.
const maxSamples = 100

// reachableCheck is tcp.reachable. connect makes one connection and
// says how long it took (connectTCP); tests replace it so that no test
// depends on the network's or the machine's speed.
type reachableCheck struct {
	connect func(ctx context.Context, addr string, timeout time.Duration) (time.Duration, error)
}

func reachableType() *actions.Type {
	return actions.Define[ReachableParams](actions.Type{
		Name: "tcp.reachable",
		Kind: actions.KindCheck,
		Doc: "Passes when TCP connections to every address succeed and, with `max_latency`, are fast enough. " +
			"Each address is connected to `samples` times, one after another (addresses in parallel); each " +
			"connection is closed at once; the median connect time is compared with max_latency. The detail and " +
			"the outputs give every sample and the median of each address; a failure names each unreachable or slow " +
			"address with the reason and the times measured.",
	}, reachableCheck{})
}

// Preview names the addresses dialled and the rule.
func (reachableCheck) Preview(_ *actions.Env, p *ReachableParams) (string, error) {
	s := fmt.Sprintf("connect to %s, %d times each", strings.Join(p.Addresses, ", "), p.Samples)
	if p.MaxLatency > 0 {
		s += fmt.Sprintf("; the median connect time must be at most %s", p.MaxLatency)
	}
	return s, nil
}

// Validate checks the addresses, the timeouts and the samples.
func (reachableCheck) Validate(p *ReachableParams) error { return validateReachable(p) }

// Check evaluates tcp.reachable once.
func (c reachableCheck) Check(ctx context.Context, env *actions.Env, p *ReachableParams) (actions.Result, error) {
	probes := c.dialAll(ctx, p)
	if err := ctx.Err(); err != nil {
		return actions.Result{}, fmt.Errorf("connect to %s: %w", strings.Join(p.Addresses, ", "), err)
	}
	ok, detail := judge(probes, p.MaxLatency)
	return actions.Result{OK: ok, Detail: detail, Outputs: outputs(probes)}, nil
}

func validateReachable(p *ReachableParams) error {
	if len(p.Addresses) == 0 {
		return errors.New("addresses must list at least one host:port")
	}
	for i, a := range p.Addresses {
		if err := validateAddress(a); err != nil {
			return fmt.Errorf("addresses item %d: %w", i+1, err)
		}
	}
	switch {
	case p.Timeout <= 0:
		return fmt.Errorf("timeout must be positive, got %s", p.Timeout)
	case p.MaxLatency < 0 || p.MaxLatency >= p.Timeout && p.MaxLatency != 0:
		return fmt.Errorf("max_latency must be between 0 and timeout (%s), got %s", p.Timeout, p.MaxLatency)
	case p.Samples < 1 || p.Samples > maxSamples:
		return fmt.Errorf("samples must be from 1 to %d, got %d", maxSamples, p.Samples)
	}
	return nil
}

// validateAddress accepts host:port with a non-empty host and a numeric
// port from 1 to 65535; IPv6 hosts go in brackets.
func validateAddress(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (IPv6 as [::1]:1433)", addr)
	}
	if host == "" {
		return fmt.Errorf("%q has no host", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: port %q is not a number from 1 to 65535", addr, port)
	}
	return nil
}

// probe is what dialling one address found: every sample's connect
// time, or the error of the first that failed.
type probe struct {
	addr    string
	samples []time.Duration
	median  time.Duration
	err     error
	// failedAfter is how long the failing connection took.
	failedAfter time.Duration
}

// dialAll probes every address in parallel; results keep the order of
// the addresses.
func (c reachableCheck) dialAll(ctx context.Context, p *ReachableParams) []probe {
	probes := make([]probe, len(p.Addresses))
	var wg sync.WaitGroup
	for i, a := range p.Addresses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			probes[i] = c.probe(ctx, a, p)
		}()
	}
	wg.Wait()
	return probes
}

// probe connects to addr p.Samples times, one after another, so that
// the samples do not compete with each other.
func (c reachableCheck) probe(ctx context.Context, addr string, p *ReachableParams) probe {
	connect := c.connect
	if connect == nil {
		connect = connectTCP
	}
	pr := probe{addr: addr}
	for range p.Samples {
		took, err := connect(ctx, addr, p.Timeout)
		if err != nil {
			pr.err, pr.failedAfter = err, took
			return pr
		}
		pr.samples = append(pr.samples, took)
	}
	pr.median = median(pr.samples)
	return pr
}

// connectTCP connects to addr, closes the connection at once and
// returns how long connecting took.
func connectTCP(ctx context.Context, addr string, timeout time.Duration) (time.Duration, error) {
	d := net.Dialer{Timeout: timeout}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", addr)
	took := time.Since(start)
	if conn != nil {
		conn.Close()
	}
	return took, err
}

// median is the middle sample, or the mean of the two middle ones.
func median(samples []time.Duration) time.Duration {
	s := append([]time.Duration(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// judge turns the probes into the check's result and detail.
func judge(probes []probe, maxLatency time.Duration) (bool, string) {
	var bad, good []string
	for _, pr := range probes {
		switch {
		case pr.err != nil:
			bad = append(bad, fmt.Sprintf("%s unreachable after %s: %s", pr.addr, round(pr.failedAfter), reason(pr.err)))
		case maxLatency > 0 && pr.median > maxLatency:
			bad = append(bad, fmt.Sprintf("%s slow: median connect time %s over %d samples (%s), max_latency %s",
				pr.addr, round(pr.median), len(pr.samples), sampleList(pr.samples), maxLatency))
		default:
			good = append(good, fmt.Sprintf("%s median %s (%s)", pr.addr, round(pr.median), sampleList(pr.samples)))
		}
	}
	if len(bad) > 0 {
		return false, strings.Join(bad, "; ")
	}
	return true, fmt.Sprintf("%d of %d reachable: %s", len(probes), len(probes), strings.Join(good, "; "))
}

func sampleList(samples []time.Duration) string {
	parts := make([]string, len(samples))
	for i, d := range samples {
		parts[i] = round(d).String()
	}
	return strings.Join(parts, " ")
}

// outputs are the measurements: per address its samples and median in
// milliseconds (or its error), and the slowest median.
func outputs(probes []probe) map[string]any {
	list := make([]any, len(probes))
	var slowest *probe
	for i := range probes {
		pr := &probes[i]
		m := map[string]any{"address": pr.addr, "reachable": pr.err == nil}
		samples := make([]any, len(pr.samples))
		for j, d := range pr.samples {
			samples[j] = ms(d)
		}
		m["samples_ms"] = samples
		if pr.err != nil {
			m["error"] = reason(pr.err)
		} else {
			m["median_ms"] = ms(pr.median)
			if slowest == nil || pr.median > slowest.median {
				slowest = pr
			}
		}
		list[i] = m
	}
	out := map[string]any{"addresses": list}
	if slowest != nil {
		out["slowest"], out["slowest_median_ms"] = slowest.addr, ms(slowest.median)
	}
	return out
}

// ms is a duration in milliseconds, to the microsecond.
func ms(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)) / float64(time.Millisecond)
}

// reason is the dial error without the "dial tcp ADDR:" prefix that the
// detail already says.
func reason(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// round keeps latencies readable: microseconds below 10ms, then
// tenths of milliseconds.
func round(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}
