package memlimit

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ChildEnv is the environment a limited child needs besides its own:
// glibc gives each thread a malloc arena of 64 MiB of address space
// (cgo's threads included), which would count against the limit.
const ChildEnv = "MALLOC_ARENA_MAX=1"

// Limit sets a hard limit on the process's address space: what it has
// now plus margin bytes.
func Limit(margin uint64) error {
	size, err := VMSize()
	if err != nil {
		return err
	}
	lim := &syscall.Rlimit{Cur: size + margin, Max: size + margin}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, lim); err != nil {
		return fmt.Errorf("limit the address space: %w", err)
	}
	return nil
}

// VMSize is the process's address space in bytes (VmSize).
func VMSize() (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmSize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmSize in /proc/self/status")
}
