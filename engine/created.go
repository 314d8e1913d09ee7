package engine

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// The frame layout of engine/journal's doc.go: an 8-byte magic, then the
// header's frame, whose first 4 bytes are its payload length.
const (
	journalMagicSize = 8
	frameHeaderSize  = 8
)

// tornAtCreate reports whether a journal ends inside its own header: the
// process died in journal.Create, after the file appeared and before the
// header was whole. Create syncs the header before returning and the
// run-started record follows it, so such a run never ran a step. A
// header that is whole but corrupt is not this case, and is refused.
// Nor is a journal cut back into its header after the run did work: the
// run's sync mark or its lock (holder, when the caller read it; nil
// reads it) saw records synced, and a run torn at creation synced none.
func tornAtCreate(b store.Backend, ri journal.RunInfo, holder *lock.Info) bool {
	if ri.Err == nil || ri.Records > 0 {
		return false
	}
	if syncedOf(b, ri, holder).Seq() > 0 {
		return false
	}
	buf, err := b.ReadImage(ri.Path)
	if err != nil {
		return false
	}
	if len(buf) < journalMagicSize+frameHeaderSize {
		return true
	}
	n := int(binary.LittleEndian.Uint32(buf[journalMagicSize:]))
	return n > 0 && n <= journal.MaxRecordSize && journalMagicSize+frameHeaderSize+n > len(buf)
}

// setAsideTorn renames a journal torn at creation out of the way, so that
// the plan can be applied again; the file is kept for inspection.
func setAsideTorn(cfg Config, ri journal.RunInfo) error {
	to := cfg.State.AsideName(ri.Path, ".torn-at-create")
	if err := cfg.State.SetAside(ri.Path, to); err != nil && !errors.Is(err, store.ErrMarkNotMoved) {
		return fmt.Errorf("set aside journal %s torn at creation: %w", ri.Path, err)
	}
	cfg.Log.Warn().Str("journal", ri.Path).Str("kept_as", to).
		Msg("the previous run died while creating its journal, before any step ran: set aside")
	return nil
}
