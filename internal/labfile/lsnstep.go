package labfile

import (
	"math/big"

	"github.com/failover-dev/failover/internal/lsn"
)

// AddBlocks is the LSN n log blocks after l, at slot 1: l's virtual log
// file and block moved forward as the generator moves them (a VLF holds
// vlfBlocks blocks; the next one starts near its beginning). An LSN not
// of the vlf:block:slot shape moves by n·10^5 instead.
func AddBlocks(l lsn.LSN, n uint32) lsn.LSN {
	vlf, block, _, ok := l.Parts()
	if !ok {
		step := new(big.Int).Mul(big.NewInt(int64(n)), big.NewInt(100000))
		next, err := lsn.FromBig(new(big.Int).Add(l.Big(), step))
		if err != nil {
			return l
		}
		return next
	}
	b := uint64(block) + uint64(n)
	for b >= vlfBlocks {
		vlf++
		b = 16 + (b - vlfBlocks)
	}
	return lsn.Make(vlf, uint32(b), 1)
}
