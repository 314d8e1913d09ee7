package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/labfile"
)

// initOpts are the flags that initialise a new lab dir.
type initOpts struct {
	config string
	reset  bool
}

func (o *initOpts) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.config, "config", "", "lab config (YAML) for a new lab dir; default: the Persistent Chat topology")
	cmd.Flags().BoolVar(&o.reset, "reset", false, "initialise the lab dir again, discarding its state (from --config, else from its own config)")
}

// initIfNeeded runs lab.Init for a new dir (or with --reset); an existing
// dir continues where it was.
func initIfNeeded(d labDir, o initOpts, log zerolog.Logger) error {
	if d.initialised() && !o.reset {
		if o.config != "" {
			log.Warn().Str("config", o.config).Msg("the lab dir is initialised already; --config is ignored (use --reset to start over)")
		}
		return nil
	}
	cfg, err := chooseConfig(d, o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.path, 0o755); err != nil {
		return fmt.Errorf("create lab dir: %w", err)
	}
	initialise := lab.Init
	if o.reset {
		initialise = lab.Reset
	}
	if err := initialise(d.path, cfg); err != nil {
		return fmt.Errorf("initialise lab dir %s: %w", d.path, err)
	}
	log.Info().Str("dir", d.path).Msg("lab dir initialised")
	return nil
}

// chooseConfig is the config a new or reset lab starts from: --config,
// else for --reset the dir's own (the same drill over again), else the
// default topology.
func chooseConfig(d labDir, o initOpts) (lab.Config, error) {
	switch {
	case o.config != "":
		return lab.LoadConfig(o.config)
	case o.reset && d.initialised():
		return lab.LoadConfig(d.configFile())
	}
	return lab.DefaultConfig(), nil
}

func newServeCmd(g *globals) *cobra.Command {
	var o initOpts
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the lab in the foreground until interrupted (up runs this in the background)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, d, err := g.logAndDir()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), stopSignals...)
			defer stop()
			return serve(ctx, d, o, log)
		},
	}
	o.addFlags(cmd)
	return cmd
}

// serve runs the lab in dir until ctx ends or down asks it to stop. It
// claims the dir first (so --reset never wipes a running lab), initialises
// it if new, and once every instance listens writes lab.env, targets.yaml
// and, last, lab.run.json, which is what up waits for.
func serve(ctx context.Context, d labDir, o initOpts, log zerolog.Logger) error {
	if err := os.MkdirAll(d.path, 0o755); err != nil {
		return fmt.Errorf("create lab dir: %w", err)
	}
	if err := claimPID(d); err != nil {
		return err
	}
	defer d.removeIfOwned(os.Getpid())
	if err := initIfNeeded(d, o, log); err != nil {
		return err
	}
	if err := os.Remove(d.stopFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove old stop request: %w", err)
	}
	l, err := lab.Serve(ctx, d.path)
	if err != nil {
		return fmt.Errorf("start lab: %w", err)
	}
	defer l.Close()
	if err := publish(d, l.Addrs()); err != nil {
		return err
	}
	log.Info().Str("dir", d.path).Int("pid", os.Getpid()).Interface("addrs", l.Addrs()).Msg("lab up")
	waitStop(ctx, d)
	log.Info().Msg("lab stopping")
	return nil
}

// publish writes lab.env, targets.yaml and lab.run.json for a lab whose
// instances listen on addrs.
func publish(d labDir, addrs map[string]string) error {
	info, err := describe(d, addrs)
	if err != nil {
		return err
	}
	env, err := formatEnv(info.env(), "sh")
	if err != nil {
		return err
	}
	header := "# failover-lab " + d.path + ": set -a; . lab.env; set +a (sh), or failover-lab env --shell powershell | iex\n"
	if err := labfile.WriteBytes(d.envFile(), []byte(header+env)); err != nil {
		return err
	}
	targets, err := info.targetsYAML()
	if err != nil {
		return err
	}
	if err := labfile.WriteBytes(d.targetsFile(), targets); err != nil {
		return err
	}
	vars, err := info.varsYAML()
	if err != nil {
		return err
	}
	if err := labfile.WriteBytes(d.file(varsFileName), vars); err != nil {
		return err
	}
	return d.writeRun(runInfo{PID: os.Getpid(), Started: time.Now().UTC(), Addrs: addrs})
}

// describe combines the lab's config with the addresses it listens on.
func describe(d labDir, addrs map[string]string) (labInfo, error) {
	cfg, err := lab.LoadConfig(d.configFile())
	if err != nil {
		return labInfo{}, err
	}
	m, err := cfg.PathMap(d.path)
	if err != nil {
		return labInfo{}, err
	}
	info := labInfo{Dir: d.path, CA: d.caFile(), Statements: d.file(lab.StatementLog),
		Share: cfg.ShareFolder(d.path), CopyDir: cfg.CopyFolder(d.path),
		ShareWindows: cfg.ShareWindowsPath(d.path), CopyDirWindows: cfg.CopyWindowsPath(d.path),
		Database: cfg.LogShipping.Database, Paths: m.Mappings(), TimeZone: cfg.Zone()}
	if info.Shell, info.Pool, err = shellInfo(d); err != nil {
		return labInfo{}, err
	}
	for _, in := range cfg.Instances {
		name := strings.ToUpper(in.Name) // Addrs' keys are upper case
		addr, ok := addrs[name]
		if !ok {
			return labInfo{}, fmt.Errorf("describe lab: instance %s has no address", name)
		}
		ii := instanceInfo{Name: name, Addr: addr}
		if lg, ok := lab.FirstLogin(in.Logins, lab.RoleSysadmin); ok {
			ii.User, ii.Password = lg.User, lg.Password
		}
		if lg, ok := lab.FirstLogin(in.Logins, lab.RoleReader); ok {
			ii.ReaderUser, ii.ReaderPassword = lg.User, lg.Password
		}
		info.Instances = append(info.Instances, ii)
	}
	return info, nil
}

// claimPID writes our pid to lab.pid, created exclusively, so two labs
// never serve one dir. A pid file of a process that is gone is replaced.
func claimPID(d labDir) error {
	for range 2 {
		f, err := os.OpenFile(d.pidFile(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
			return errors.Join(werr, f.Sync(), f.Close())
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create pid file: %w", err)
		}
		pid, rerr := d.readPID()
		if rerr == nil && pid != os.Getpid() && processAlive(pid) {
			return fmt.Errorf("the lab in %s already runs as pid %d (failover-lab down --dir %s)", d.path, pid, d.path)
		}
		if err := os.Remove(d.pidFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale pid file: %w", err)
		}
	}
	return fmt.Errorf("claim pid file %s: another lab is starting", d.pidFile())
}

// stopPoll is how often a serving lab looks for a stop request.
const stopPoll = 200 * time.Millisecond

// waitStop returns when ctx ends or down wrote the stop file (the only
// way to ask a detached lab to stop on Windows).
func waitStop(ctx context.Context, d labDir) {
	t := time.NewTicker(stopPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if b, err := os.ReadFile(d.stopFile()); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
				return
			}
		}
	}
}
