// Package etcdtest starts etcd clusters for tests: three members (or
// one) embedded in the test process, on loopback ports that were free,
// with their data in the test's temporary directory. Only tests import
// it: the failover binary never links an etcd server.
package etcdtest

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Cluster is a running cluster.
type Cluster struct {
	Members []*Member
	// token names the cluster, so that members of two clusters never
	// talk.
	token string
}

// Member is one member of a cluster.
type Member struct {
	Name string
	// ClientAddr is the member's client address, host:port.
	ClientAddr string
	e          *embed.Etcd

	mu      sync.Mutex // guards stopped
	stopped bool
	// closed is closed once the member's listeners and connections are.
	closed chan struct{}
}

// Options tune a cluster.
type Options struct {
	// Members is the cluster's size (default 3).
	Members int
	// Fsync makes members sync their write-ahead log as a real cluster
	// does (benchmarks); tests run without, for speed under load.
	Fsync bool
	// TLS, when set, makes clients connect with TLS and present a
	// certificate the CA signed (the members' peers stay plain).
	TLS *Certs
}

var clusters atomic.Int64

// Start starts a cluster and stops it when the test ends. It fails the
// test if the cluster does not elect a leader within a minute.
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	c, err := New(t.TempDir(), o)
	if err != nil {
		t.Fatalf("start an etcd cluster: %v", err)
	}
	t.Cleanup(c.Stop)
	return c
}

// New starts a cluster with its data under dir, for a TestMain that
// shares one cluster between tests; the caller stops it.
func New(dir string, o Options) (*Cluster, error) {
	if o.Members == 0 {
		o.Members = 3
	}
	var err error
	for try := 0; try < 3; try++ {
		var c *Cluster
		if c, err = start(fmt.Sprintf("%s/%d", dir, try), o); err == nil {
			return c, nil
		}
		// A port taken meanwhile: try other ones.
	}
	return nil, err
}

func start(dir string, o Options) (*Cluster, error) {
	c := &Cluster{token: fmt.Sprintf("failover-test-%d-%d", time.Now().UnixNano(), clusters.Add(1))}
	cfgs := make([]*embed.Config, o.Members)
	var initial []string
	for i := range cfgs {
		ports, err := freePorts(2)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("m%d", i)
		cfg := embed.NewConfig()
		cfg.Name = name
		cfg.Dir = fmt.Sprintf("%s/%s", dir, name)
		peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[0])}
		client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[1])}
		if o.TLS != nil {
			client.Scheme = "https"
			cfg.ClientTLSInfo = transport.TLSInfo{CertFile: o.TLS.ServerCert, KeyFile: o.TLS.ServerKey,
				TrustedCAFile: o.TLS.CA, ClientCertAuth: true}
		}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
		cfg.InitialClusterToken = c.token
		// Elections in a second: a killed leader is replaced fast, and a
		// loaded test machine is not mistaken for a dead leader.
		cfg.TickMs, cfg.ElectionMs = 50, 500
		cfg.UnsafeNoFsync = !o.Fsync
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		cfgs[i] = cfg
		initial = append(initial, name+"="+peer.String())
		c.Members = append(c.Members, &Member{Name: name, ClientAddr: client.Host})
	}
	for i, cfg := range cfgs {
		cfg.InitialCluster = strings.Join(initial, ",")
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			c.Stop()
			return nil, fmt.Errorf("start member %s: %w", cfg.Name, err)
		}
		c.Members[i].e = e
	}
	for _, m := range c.Members {
		select {
		case <-m.e.Server.ReadyNotify():
		case err := <-m.e.Err():
			c.Stop()
			return nil, fmt.Errorf("member %s: %w", m.Name, err)
		case <-time.After(time.Minute):
			c.Stop()
			return nil, fmt.Errorf("member %s not ready after a minute", m.Name)
		}
	}
	return c, nil
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Endpoints are the client addresses of the members still running.
func (c *Cluster) Endpoints() []string {
	var eps []string
	for _, m := range c.Members {
		if !m.isStopped() {
			eps = append(eps, m.ClientAddr)
		}
	}
	return eps
}

// URL is a --state URL naming every member, with prefix.
func (c *Cluster) URL(prefix string) string {
	return "etcd://" + strings.Join(c.Endpoints(), ",") + prefix
}

// Client opens a client of the given endpoints (default: every member
// running) and closes it when the test ends.
func (c *Cluster) Client(t testing.TB, endpoints ...string) *clientv3.Client {
	t.Helper()
	if len(endpoints) == 0 {
		endpoints = c.Endpoints()
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop(),
		DialKeepAliveTime: 2 * time.Second, DialKeepAliveTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// Leader returns the index of the member that leads now, or -1.
func (c *Cluster) Leader() int {
	for i, m := range c.Members {
		if !m.isStopped() && m.e.Server.Leader() == m.e.Server.MemberID() {
			return i
		}
	}
	return -1
}

// Kill stops member i at once, as a crash would (no leadership handed
// over, no goodbye to its peers): its raft stops now; its listeners and
// connections close in the background (a graceful close waits for
// clients' streams, seconds).
func (c *Cluster) Kill(i int) {
	m := c.Members[i]
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped || m.e == nil {
		return
	}
	m.stopped = true
	m.e.Server.HardStop()
	m.closed = make(chan struct{})
	go func() {
		m.e.Close()
		close(m.closed)
	}()
}

// Stop stops every member and waits until they are closed.
func (c *Cluster) Stop() {
	for i := range c.Members {
		c.Kill(i)
	}
	for _, m := range c.Members {
		if m.closed != nil {
			<-m.closed
		}
	}
}

func (m *Member) isStopped() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stopped
}
