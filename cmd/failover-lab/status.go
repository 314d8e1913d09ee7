package main

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/internal/lab"
)

func newStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show whether the lab runs, its instances and faults (exit 3 when it is not running)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := g.labDir()
			if err != nil {
				return err
			}
			return status(g, d)
		},
	}
}

func status(g *globals, d labDir) error {
	out := g.stdout
	if !d.initialised() {
		fmt.Fprintf(out, "lab %s: not initialised (failover-lab up --dir %s)\n", d.path, d.path)
		return notRunningError{d.path}
	}
	pid, err := d.readPID()
	if err != nil {
		return err
	}
	r, ok, err := d.readRun()
	if err != nil {
		return err
	}
	switch {
	case pid == 0 || !processAlive(pid):
		fmt.Fprintf(out, "lab %s: stopped\n", d.path)
	case !ok || r.PID != pid:
		fmt.Fprintf(out, "lab %s: starting (pid %d)\n", d.path, pid)
	default:
		fmt.Fprintf(out, "lab %s: running (pid %d, since %s)\n", d.path, pid, r.Started.Format(time.RFC3339))
	}
	up := ok && pid != 0 && r.PID == pid && processAlive(pid)
	if up {
		width := 10
		for name := range r.Addrs {
			width = max(width, len(name))
		}
		for _, name := range sortedNames(r.Addrs) {
			fmt.Fprintf(out, "  %-*s %s  %s\n", width, name, r.Addrs[name], probe(r.Addrs[name]))
		}
	}
	if err := statusPaths(out, d); err != nil {
		return err
	}
	faults, err := lab.ListFaults(d.path)
	if err != nil {
		return err
	}
	fromConfig, err := d.configFaults()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  faults: %d (failover-lab fault list)\n", len(faults)+len(fromConfig))
	if !up {
		return notRunningError{d.path}
	}
	return nil
}

// probe says whether an instance accepts connections.
func probe(addr string) string {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "not accepting connections: " + err.Error()
	}
	c.Close()
	return "accepting connections"
}

// statusPaths shows the servers' time zone and the path map.
func statusPaths(out io.Writer, d labDir) error {
	cfg, err := lab.LoadConfig(d.configFile())
	if err != nil {
		return err
	}
	m, err := cfg.PathMap(d.path)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  time zone: %s\n  paths (as SQL Server names them -> lab folders):\n", cfg.Zone())
	for _, pm := range m.Mappings() {
		fmt.Fprintf(out, "    %-24s -> %s\n", pm.Windows, pm.Local)
	}
	return nil
}
