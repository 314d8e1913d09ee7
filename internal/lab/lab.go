package lab

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/failover-dev/failover/internal/tds"
)

// pollInterval is how often a running lab looks at DIR/faults.yaml when no
// statement arrives (statements look at it too), and applies down faults.
const pollInterval = 200 * time.Millisecond

// Lab is a running lab: every instance of a lab dir listening on loopback.
type Lab struct {
	dir       string
	cfgFaults []Fault
	faults    *faultSet
	log       *stmtLog
	instances []*instance
	tdsCfg    []tds.Config      // per instance, with its fixed address
	addrs     map[string]string // fixed once started

	// files drives the file-system faults; set once by Serve.
	files *fileRun

	mu       sync.Mutex // guards watch and injected; handlers take it
	watch    faultWatch
	injected []Fault

	// srvMu guards servers and closed. Handlers never take it, so a
	// server can be closed (which waits for its handlers) while it is held.
	srvMu   sync.Mutex
	servers []*tds.Server // nil while the instance is down
	closed  bool

	stopCh chan struct{}
	pollWG sync.WaitGroup
}

// Serve loads the lab in dir (made by Init), starts every instance and
// returns once all of them accept connections. Cancelling ctx closes the
// lab, as Close does. An instance whose port is 0 gets a free port, which
// is recorded so the next Serve of the same dir uses it again.
func Serve(ctx context.Context, dir string) (*Lab, error) {
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("serve lab: %w", err)
	}
	l := &Lab{dir: dir, faults: &faultSet{}, watch: faultWatch{path: filepath.Join(dir, FaultsFile)},
		addrs: map[string]string{}, stopCh: make(chan struct{})}
	l.cfgFaults = configFaults(cfg)
	if err := l.reloadFaults(); err != nil {
		return nil, fmt.Errorf("serve lab: %w", err)
	}
	if l.log, err = openStmtLog(filepath.Join(dir, StatementLog)); err != nil {
		return nil, fmt.Errorf("serve lab: %w", err)
	}
	l.files = newFileRun(dir, cfg, l.log)
	if err := l.start(cfg); err != nil {
		l.Close()
		return nil, fmt.Errorf("serve lab: %w", err)
	}
	l.applyDown()
	l.files.tick(time.Now())
	l.pollWG.Add(1)
	go l.poll(ctx)
	return l, nil
}

// start loads each instance's state and starts its TDS server.
func (l *Lab) start(cfg Config) error {
	_, cert, key, err := tds.GenerateCertificates(filepath.Join(l.dir, TLSDir), nil)
	if err != nil {
		return err
	}
	for _, ic := range cfg.Instances {
		path := statePath(l.dir, ic.Name)
		st, err := loadState(path)
		if err != nil {
			return err
		}
		in := newInstance(st, path, l.faults, l.log)
		if err := in.configure(cfg, l.dir); err != nil {
			return err
		}
		in.beforeStatement = l.checkFaultsFile
		in.files, in.onLive = l.files.faults, l.files.onLive
		if st.LogBackups != nil {
			l.files.primary = in
		}
		tc := tds.Config{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(st.Port)),
			CertFile: cert, KeyFile: key, ServerName: st.ServerName}
		srv := tds.NewServer(tc, in)
		addr, err := srv.Start()
		if err != nil {
			return fmt.Errorf("start instance %s: %w", st.Name, err)
		}
		tc.Addr = addr
		l.srvMu.Lock()
		l.servers = append(l.servers, srv)
		l.srvMu.Unlock()
		l.instances, l.tdsCfg, l.addrs[in.name] = append(l.instances, in), append(l.tdsCfg, tc), addr
		if err := in.recordPort(addr); err != nil {
			return err
		}
	}
	linkPeers(l.instances)
	return nil
}

// recordPort keeps the port an instance got, for the next start.
func (in *instance) recordPort(addr string) error {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("parse address %s: %w", addr, err)
	}
	port, _ := strconv.Atoi(p)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.st.Port == port {
		return nil
	}
	in.st.Port = port
	return in.save()
}

// poll re-reads the faults file and applies down faults until the lab
// closes or ctx ends.
func (l *Lab) poll(ctx context.Context) {
	defer l.pollWG.Done()
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			go l.Close() // Close waits for this goroutine
			return
		case <-l.stopCh:
			return
		case <-t.C:
			l.checkFaultsFile()
			l.applyDown()
			l.files.tick(time.Now())
		}
	}
}

// checkFaultsFile re-reads DIR/faults.yaml when it changed; a broken file
// keeps the faults that were active.
func (l *Lab) checkFaultsFile() {
	l.mu.Lock()
	changed := l.watch.changed()
	l.mu.Unlock()
	if changed {
		_ = l.reloadFaults()
	}
}

// reloadFaults arms the config's, the injected and the file's faults.
func (l *Lab) reloadFaults() error {
	l.mu.Lock()
	l.watch.changed()
	injected := append([]Fault(nil), l.injected...)
	l.mu.Unlock()
	file, err := ListFaults(l.dir)
	if err != nil {
		return err
	}
	all := append(append(append([]Fault(nil), l.cfgFaults...), injected...), file...)
	if l.files != nil {
		l.files.refresh()
	}
	return l.faults.replace(all)
}

// Addrs maps each instance name (upper case, e.g. PRIMARY) to the address
// it listens on ("127.0.0.1:port"), also while a down fault stops it.
func (l *Lab) Addrs() map[string]string { return maps.Clone(l.addrs) }

// Dir is the lab dir.
func (l *Lab) Dir() string { return l.dir }

// Inject arms a fault in this process only (tests); AddFault reaches a lab
// through its dir. Down faults take effect within pollInterval.
func (l *Lab) Inject(f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Kind.IsFile() {
		return fmt.Errorf("inject %s: file-system faults live in the lab dir: use AddFault", f.Kind)
	}
	l.mu.Lock()
	if f.ID == "" {
		f.ID = "inject-" + strconv.Itoa(len(l.injected)+1)
	}
	l.injected = append(l.injected, f)
	l.mu.Unlock()
	return l.faults.add(f)
}

// setClock gives every instance's simulated sessions a clock (tests: a
// reconnect delay passes when the test says so, not by sleeping).
func (l *Lab) setClock(now func() time.Time) {
	for _, in := range l.instances {
		in.mu.Lock()
		in.clock = now
		in.mu.Unlock()
	}
}

// Close stops every instance and closes the statement log. The state is
// already on disk: every change was written when it happened.
func (l *Lab) Close() error {
	l.srvMu.Lock()
	if l.closed {
		l.srvMu.Unlock()
		return nil
	}
	l.closed = true
	l.srvMu.Unlock()
	close(l.stopCh)
	l.pollWG.Wait() // no applyDown runs after this
	if l.files != nil {
		l.files.opens.close()
	}
	l.srvMu.Lock()
	servers := l.servers
	l.srvMu.Unlock()
	var errs []error
	for _, s := range servers {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	errs = append(errs, l.log.close())
	return errors.Join(errs...)
}

// ConfigFaults returns the faults of the lab's config in dir (active from
// the start, for as long as the lab runs), each with its ID: its own or
// config-N. They cannot be cleared at run time.
func ConfigFaults(dir string) ([]Fault, error) {
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	return configFaults(cfg), nil
}

func configFaults(cfg Config) []Fault {
	var out []Fault
	for i, f := range cfg.Faults {
		if f.ID == "" {
			f.ID = "config-" + strconv.Itoa(i+1)
		}
		out = append(out, f)
	}
	if cfg.Scenario.GrowingFile {
		out = append(out, Fault{ID: "scenario-growing-file", Kind: FaultFileGrowing})
	}
	return out
}
