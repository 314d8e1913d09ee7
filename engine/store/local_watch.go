package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Changes polls the plan's directory every Poll (1s when zero): a
// directory has nothing to wait on that works the same on every system
// and on network shares. Every change of a file's size or time there (a
// journal appended, the lock renewed, taken or removed) is signalled.
func (l *Local) Changes(ctx context.Context, plan string) (<-chan struct{}, error) {
	every := l.Poll
	if every <= 0 {
		every = time.Second
	}
	dir := filepath.Join(l.Dir, plan)
	ch := make(chan struct{}, 1)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		last := dirPrint(dir)
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if now := dirPrint(dir); now != last {
				last = now
				signal(ch)
			}
		}
	}()
	return ch, nil
}

// dirPrint sums up the names, sizes and times of a directory's files.
func dirPrint(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err.Error()
	}
	h := sha256.New()
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		fmt.Fprintf(h, "%s %d %d\n", e.Name(), info.Size(), info.ModTime().UnixNano())
	}
	return string(h.Sum(nil))
}

// signal sends on ch without blocking: one pending signal stands for
// any number of changes.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
