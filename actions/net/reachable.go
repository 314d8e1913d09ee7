package net

import (
	"context"
	"errors"
	"fmt"
	"net"
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
	MaxLatency time.Duration `param:"max_latency" doc:"If set, a connection that took longer counts as a failure (slow)."`
}

// reachableCheck is tcp.reachable.
type reachableCheck struct{}

func reachableType() *actions.Type {
	return actions.Define[ReachableParams](actions.Type{
		Name: "tcp.reachable",
		Kind: actions.KindCheck,
		Doc: "Passes when a TCP connection to every address succeeds (and, with `max_latency`, " +
			"fast enough). All addresses are dialled in parallel; each connection is closed at once. " +
			"The detail names every unreachable or slow address with the reason and the time measured.",
	}, reachableCheck{})
}

// Preview names the addresses dialled.
func (reachableCheck) Preview(_ *actions.Env, p *ReachableParams) (string, error) {
	return "connect to " + strings.Join(p.Addresses, ", "), nil
}

// Validate checks the addresses and the timeouts.
func (reachableCheck) Validate(p *ReachableParams) error { return validateReachable(p) }

// Check evaluates tcp.reachable once.
func (reachableCheck) Check(ctx context.Context, env *actions.Env, p *ReachableParams) (actions.Result, error) {
	ok, detail, err := reachable(ctx, env, p)
	return actions.Result{OK: ok, Detail: detail}, err
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

// probe is the outcome of dialling one address.
type probe struct {
	addr    string
	latency time.Duration
	err     error
}

// reachable dials every address once.
func reachable(ctx context.Context, _ *actions.Env, p *ReachableParams) (bool, string, error) {
	probes := dialAll(ctx, p.Addresses, p.Timeout)
	if err := ctx.Err(); err != nil {
		return false, "", fmt.Errorf("connect to %s: %w", strings.Join(p.Addresses, ", "), err)
	}
	return judge(probes, p.MaxLatency)
}

// dialAll connects to every address in parallel; results keep the
// order of addrs.
func dialAll(ctx context.Context, addrs []string, timeout time.Duration) []probe {
	probes := make([]probe, len(addrs))
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			probes[i] = dial(ctx, a, timeout)
		}()
	}
	wg.Wait()
	return probes
}

func dial(ctx context.Context, addr string, timeout time.Duration) probe {
	d := net.Dialer{Timeout: timeout}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", addr)
	pr := probe{addr: addr, latency: time.Since(start), err: err}
	if conn != nil {
		conn.Close()
	}
	return pr
}

// judge turns the probes into the check's result and detail.
func judge(probes []probe, maxLatency time.Duration) (bool, string, error) {
	var bad []string
	slowest := probes[0]
	for _, pr := range probes {
		switch {
		case pr.err != nil:
			bad = append(bad, fmt.Sprintf("%s unreachable after %s: %s", pr.addr, round(pr.latency), reason(pr.err)))
		case maxLatency > 0 && pr.latency > maxLatency:
			bad = append(bad, fmt.Sprintf("%s slow: connected in %s, max_latency %s", pr.addr, round(pr.latency), maxLatency))
		}
		if pr.latency > slowest.latency {
			slowest = pr
		}
	}
	if len(bad) > 0 {
		return false, strings.Join(bad, "; "), nil
	}
	return true, fmt.Sprintf("%d of %d reachable, slowest %s in %s", len(probes), len(probes), slowest.addr, round(slowest.latency)), nil
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
