package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/failover-dev/failover/internal/tds"
)

// Lab is a running lab: every instance of a lab dir listening on loopback.
type Lab struct {
	dir       string
	cfgFaults []Fault
	faults    *faultSet
	log       *stmtLog
	instances []*instance
	servers   []*tds.Server

	mu     sync.Mutex // guards watch and closed
	watch  faultWatch
	closed bool
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
	l := &Lab{dir: dir, faults: &faultSet{}, watch: faultWatch{path: filepath.Join(dir, FaultsFile)}}
	for i, f := range cfg.Faults {
		if f.ID == "" {
			f.ID = "config-" + strconv.Itoa(i+1)
		}
		l.cfgFaults = append(l.cfgFaults, f)
	}
	if err := l.reloadFaults(); err != nil {
		return nil, fmt.Errorf("serve lab: %w", err)
	}
	if l.log, err = openStmtLog(filepath.Join(dir, StatementLog)); err != nil {
		return nil, fmt.Errorf("serve lab: %w", err)
	}
	if err := l.start(cfg); err != nil {
		l.Close()
		return nil, fmt.Errorf("serve lab: %w", err)
	}
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	return l, nil
}

// start loads each instance's state and starts its TDS server.
func (l *Lab) start(cfg Config) error {
	tlsDir := filepath.Join(l.dir, TLSDir)
	_, cert, key, err := tds.GenerateCertificates(tlsDir, nil)
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
		if cfg.RestoreTime > 0 {
			in.restoreTime = cfg.RestoreTime
		}
		in.beforeStatement = l.checkFaultsFile
		srv := tds.NewServer(tds.Config{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(st.Port)),
			CertFile: cert, KeyFile: key, ServerName: st.ServerName}, in)
		addr, err := srv.Start()
		if err != nil {
			return fmt.Errorf("start instance %s: %w", st.Name, err)
		}
		l.instances, l.servers = append(l.instances, in), append(l.servers, srv)
		if err := in.recordPort(addr); err != nil {
			return err
		}
	}
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

func (l *Lab) reloadFaults() error {
	l.mu.Lock()
	l.watch.changed()
	l.mu.Unlock()
	file, err := ListFaults(l.dir)
	if err != nil {
		return err
	}
	return l.faults.replace(append(append([]Fault(nil), l.cfgFaults...), file...))
}

// Addrs maps each instance name (upper case, e.g. PRIMARY) to the address
// it listens on ("127.0.0.1:port").
func (l *Lab) Addrs() map[string]string {
	out := map[string]string{}
	for i, in := range l.instances {
		out[in.name] = l.servers[i].Addr()
	}
	return out
}

// Dir is the lab dir.
func (l *Lab) Dir() string { return l.dir }

// Inject arms a fault in this process only (tests); AddFault reaches a lab
// through its dir.
func (l *Lab) Inject(f Fault) error {
	if f.ID == "" {
		f.ID = "inject-" + strings.ToLower(string(f.Kind))
	}
	return l.faults.add(f)
}

// Close stops every instance and closes the statement log. The state is
// already on disk: every change was written when it happened.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	var errs []error
	for _, s := range l.servers {
		errs = append(errs, s.Close())
	}
	errs = append(errs, l.log.close())
	return errors.Join(errs...)
}
