package labfile

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/lsn"
)

// NextLog is the log backup a live primary takes after prev, started at
// at: it begins at prev's LastLSN (the chain stays continuous), on the
// same database, server, recovery fork and full backup, and moves the log
// forward by a plausible amount. seed varies the amount and the GUID, so
// that the same prev and seed give the same set.
func NextLog(prev BackupSet, at time.Time, seed uint64) (BackupSet, error) {
	vlf, block, _, ok := prev.LastLSN.Parts()
	if !ok {
		return BackupSet{}, fmt.Errorf("next log backup after %s: LSN %s is not vlf:block:slot", prev.BackupName, prev.LastLSN)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6e657874))
	n := 40 + rng.IntN(900)
	block += uint32(n)
	if block >= vlfBlocks {
		vlf, block = vlf+1, 16+uint32(rng.IntN(64))
	}
	set := prev
	set.BackupType = TypeLog
	set.BackupName = FileName(prev.DatabaseName, at)
	set.Position = 1
	set.FirstLSN = prev.LastLSN
	set.LastLSN = lsn.Make(vlf, block, 1)
	set.CheckpointLSN = lsn.Make(vlf, block-uint32(min(n, int(block))/2), 3)
	if set.CheckpointLSN.Cmp(set.FirstLSN) < 0 {
		set.CheckpointLSN = set.FirstLSN
	}
	set.ForkPointLSN = lsn.LSN{}
	set.FirstRecoveryForkID = prev.RecoveryForkID
	set.BackupSetGUID = uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%s/next/%d", prev.BackupSetGUID, seed))
	set.BackupStartDate = at.UTC()
	set.BackupFinishDate = at.UTC().Add(time.Duration(1+rng.IntN(4)) * time.Second)
	set.BeginsLogChain, set.IsDamaged, set.IsForceOffline = false, false, false
	set.DataPages, set.LogPages = 0, n/8+1
	set.BackupSize = int64(set.LogPages)*8192 + 12288
	return set, nil
}
