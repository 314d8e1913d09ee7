package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/internal/lab"
)

// fileFaultFlags reads the flags of the file-system faults: --free as a
// size; and --nth and --times, which a file kind takes as 0 unless given
// rather than the flags' 1 (for live-primary, --times 0 is "until
// cleared" on a schedule, "once" on statements).
func fileFaultFlags(cmd *cobra.Command, f *lab.Fault, free string) error {
	if free != "" {
		n, err := parseSize(free)
		if err != nil {
			return fmt.Errorf("--free %q: %w", free, err)
		}
		f.Free = n
	}
	if f.Kind.IsFile() {
		if !cmd.Flags().Changed("nth") {
			f.Nth = 0
		}
		if !cmd.Flags().Changed("times") {
			f.Times = 0
		}
	}
	return nil
}

// parseSize reads a byte count: digits, then optionally B, KiB, MiB or
// GiB (K, M and G for short).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("want a size such as 0, 4096, 64KiB or 1MiB")
	}
	return n * mult, nil
}

// faultNote is how a file-system fault stands, as " [note]", or "".
func faultNote(d labDir, f lab.Fault) string {
	if n := lab.FaultNote(d.path, f); n != "" {
		return " [" + n + "]"
	}
	return ""
}
