package labfile

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/lsn"
)

// vlfBlocks is where the generator moves to the next virtual log file.
const vlfBlocks = 60000

// generator makes the sets of one chain deterministically from a seed.
type generator struct {
	spec ChainSpec
	rng  *rand.Rand
	fork uuid.UUID
	// vlf, block: the next log record's position.
	vlf, block uint32
	// fullSet is the full backup, once full made it.
	fullSet BackupSet
	// fullAmong is the full backup among the logs (FullAmongLogs).
	fullAmong BackupSet
}

func newGenerator(s ChainSpec) *generator {
	g := &generator{spec: s, rng: rand.New(rand.NewPCG(s.Seed, 0x6c6162))}
	g.fork = g.guid("fork", s.Database)
	// VLF sequence numbers from 10^6 make 22-digit LSNs, beyond uint64:
	// every reader of the lab's LSNs must handle numeric(25,0) in full.
	g.vlf = 1_000_000 + uint32(g.rng.IntN(4_000_000))
	g.block = 2000 + uint32(g.rng.IntN(20000))
	return g
}

// guid is a stable GUID for a name, so the same seed gives the same files.
func (g *generator) guid(parts ...any) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%d/%v", g.spec.Seed, parts))
}

func (g *generator) lsn(slot uint16) lsn.LSN { return lsn.Make(g.vlf, g.block, slot) }

// step moves the log forward by a plausible amount and returns how many
// blocks it wrote.
func (g *generator) step() int {
	n := 40 + g.rng.IntN(900)
	g.block += uint32(n)
	if g.block >= vlfBlocks {
		g.vlf++
		g.block = 16 + uint32(g.rng.IntN(64))
	}
	return n
}

// full is the full backup log shipping was initialised from, taken one
// interval before the first log backup; the first log backup starts
// before its end, as log backups do.
func (g *generator) full() BackupSet {
	s := g.spec
	at := s.Start.Add(-s.Interval)
	b := g.block
	set := g.base(s.Database, s.Server, at, "full")
	set.BackupType = TypeFull
	set.BackupName = s.Database + "-Full Database Backup"
	set.FirstLSN = lsn.Make(g.vlf, b, 1)
	set.CheckpointLSN = lsn.Make(g.vlf, b+8, 37)
	set.LastLSN = lsn.Make(g.vlf, b+32, 1)
	set.BeginsLogChain = true
	set.DataPages, set.LogPages = 24000+g.rng.IntN(8000), 2
	set.BackupSize = int64(set.DataPages+set.LogPages)*8192 + 12288
	// g.block stays at b: the first log backup begins at the full
	// backup's first LSN and, moving at least 40 blocks, ends after it.
	g.fullSet = set
	return set
}

// base fills the fields every set of the chain shares.
func (g *generator) base(db, server string, at time.Time, what any) BackupSet {
	return BackupSet{
		DatabaseName:         db,
		ServerName:           server,
		MachineName:          server,
		UserName:             `LITWAREINC\svc-sqlagent`,
		FirstRecoveryForkID:  g.fork,
		RecoveryForkID:       g.fork,
		BackupSetGUID:        g.guid("set", db, what),
		FamilyGUID:           g.guid("family", db),
		BackupStartDate:      at.UTC(),
		BackupFinishDate:     at.UTC().Add(time.Duration(1+g.rng.IntN(4)) * time.Second),
		SoftwareVersionMajor: 12,
		SoftwareVersionMinor: 0,
		SoftwareVersionBuild: 6024,
		DatabaseVersion:      782,
		RecoveryModel:        "FULL",
		Collation:            "Latin1_General_CI_AS",
	}
}

// logSets is the continuous chain of Count log backups of the database.
func (g *generator) logSets(lay chainLayout, fullLSN lsn.LSN) []BackupSet {
	s := g.spec
	sets := make([]BackupSet, 0, s.Count)
	for i := range s.Count {
		server, at := s.Server, s.Start.Add(time.Duration(i)*s.Interval)
		if s.mirror() && i >= s.Count-max(1, s.Count/3) {
			// The mirror's own clock names its files and dates its headers.
			server, at = s.MirrorServer, at.Add(-s.MirrorSkew())
		}
		set := g.logSet(s.Database, server, at, i, i == lay.empty)
		set.DatabaseBackupLSN = fullLSN
		sets = append(sets, set)
	}
	if lay.full >= 0 {
		g.fullAmong = g.fullWithin(sets[lay.full-1], sets[lay.full])
		for i := lay.full; i < len(sets); i++ {
			sets[i].DatabaseBackupLSN = g.fullAmong.CheckpointLSN
		}
	}
	return sets
}

// fullWithin is a full backup taken between the log backups prev and
// next: its LSNs lie inside next's range, as the log it holds is what
// next then backs up.
func (g *generator) fullWithin(prev, next BackupSet) BackupSet {
	s := g.spec
	at := prev.BackupStartDate.Add(s.Interval / 2)
	set := g.base(s.Database, prev.ServerName, at, "full-among-logs")
	set.BackupType = TypeFull
	set.BackupName = s.Database + "-Full Database Backup"
	lo, hi := next.FirstLSN.Big(), next.LastLSN.Big()
	span := new(big.Int).Sub(hi, lo)
	at4 := func(q int64) lsn.LSN {
		l, _ := lsn.FromBig(new(big.Int).Add(lo, new(big.Int).Div(new(big.Int).Mul(span, big.NewInt(q)), big.NewInt(4))))
		return l
	}
	set.FirstLSN, set.CheckpointLSN, set.LastLSN = at4(1), at4(1), at4(2)
	set.DatabaseBackupLSN = prev.DatabaseBackupLSN
	set.DataPages, set.LogPages = 24000+g.rng.IntN(8000), 2
	set.BackupSize = int64(set.DataPages+set.LogPages)*8192 + 12288
	set.Position = 1
	return set
}

func (g *generator) logSet(db, server string, at time.Time, i int, empty bool) BackupSet {
	set := g.base(db, server, at, i)
	set.BackupType = TypeLog
	set.BackupName = FileName(db, at)
	set.FirstLSN = g.lsn(1)
	blocks := 0
	if !empty {
		blocks = g.step()
	}
	set.LastLSN = g.lsn(1)
	set.CheckpointLSN = set.FirstLSN
	if !empty {
		set.CheckpointLSN = lsn.Make(g.vlf, g.block-uint32(min(blocks, int(g.block))/2), 3)
		if set.CheckpointLSN.Cmp(set.FirstLSN) < 0 {
			set.CheckpointLSN = set.FirstLSN
		}
	}
	set.LogPages = blocks/8 + 1
	if empty {
		set.LogPages = 0
	}
	set.BackupSize = int64(set.LogPages)*8192 + 12288
	return set
}

// files groups the sets into files, adds the switches' extra files and
// returns the sets the gap left out.
func (g *generator) files(lay chainLayout, sets []BackupSet) ([]ChainFile, []BackupSet) {
	s := g.spec
	var files []ChainFile
	var missing []BackupSet
	for i := 0; i < len(sets); i++ {
		if i == lay.gap {
			missing = append(missing, sets[i])
			continue
		}
		f := ChainFile{Name: FileName(s.Database, sets[i].BackupStartDate), Sets: []BackupSet{sets[i]}}
		if i == lay.multi && i+1 < len(sets) {
			f.Sets = append(f.Sets, sets[i+1])
			i++
		}
		for j := range f.Sets {
			f.Sets[j].Position = j + 1
		}
		f.Copied, f.Restored = i < s.Copied, i < s.Restored
		if i == lay.truncated {
			g.cut(&f)
		}
		files = append(files, f)
	}
	if s.ForkMismatch {
		files = append(files, g.staleFork(sets[min(s.Restored, len(sets)-1)]))
	}
	if s.otherDatabase() {
		files = append(files, g.foreign(len(sets))...)
	}
	if lay.full >= 0 {
		f := ChainFile{Name: FileName(s.Database, g.fullAmong.BackupStartDate), Sets: []BackupSet{g.fullAmong}}
		// Copied with the log backup after it: it lies among the copies.
		f.Copied = lay.full < s.Copied
		files = append(files, f)
	}
	if s.OtherFiles {
		files = append(files, g.others(sets[len(sets)-1])...)
	}
	sort.SliceStable(files, func(a, b int) bool { return files[a].Name < files[b].Name })
	return files, missing
}

// cut truncates a file in the middle of its last set.
func (g *generator) cut(f *ChainFile) {
	b, err := Encode(f.Sets)
	if err != nil {
		return
	}
	f.CutAt = headerSize + (len(b)-headerSize)/2
}

// staleFork is a file from another recovery fork (the old primary was
// recovered once) that starts where next starts: by LSN alone it would
// be the next to apply.
func (g *generator) staleFork(next BackupSet) ChainFile {
	s := g.spec
	at := next.BackupStartDate.Add(s.Interval / 2)
	set := g.base(s.Database, s.Server, at, "stale-fork")
	other := g.guid("fork", s.Database, "stale")
	set.FirstRecoveryForkID, set.RecoveryForkID = other, other
	set.BackupType = TypeLog
	set.BackupName = FileName(s.Database, at)
	set.FirstLSN, set.CheckpointLSN = next.FirstLSN, next.FirstLSN
	set.LastLSN = lsn.Make(g.vlf+7, 100, 1)
	set.DatabaseBackupLSN = next.DatabaseBackupLSN
	set.LogPages = 12
	set.BackupSize = int64(set.LogPages)*8192 + 12288
	set.Position = 1
	return ChainFile{Name: FileName(s.Database, at), Sets: []BackupSet{set}}
}

// foreign is the other database's own chain on the same share, taken a
// minute after each of the database's backups.
func (g *generator) foreign(n int) []ChainFile {
	s := g.spec
	fg := &generator{spec: s, rng: g.rng, fork: g.guid("fork", s.ForeignDatabase)}
	fg.vlf, fg.block = 200+uint32(g.rng.IntN(900)), 500
	files := make([]ChainFile, 0, n)
	for i := range n {
		at := s.Start.Add(time.Duration(i)*s.Interval + time.Minute)
		set := fg.logSet(s.ForeignDatabase, s.Server, at, i, false)
		set.Position = 1
		files = append(files, ChainFile{Name: FileName(s.ForeignDatabase, at), Sets: []BackupSet{set}})
	}
	return files
}

// others are the files in a log shipping folder that are not log
// backups: the full backup, a STANDBY undo file and a partial copy of the
// newest log backup under a temporary name.
func (g *generator) others(newest BackupSet) []ChainFile {
	s := g.spec
	full := g.fullSet
	full.Position = 1
	stamp := func(t time.Time) string { return s.Database + "_" + t.UTC().Format("20060102150405") }
	partial, _ := Encode([]BackupSet{newest})
	return []ChainFile{
		{Name: stamp(full.BackupStartDate) + ".bak", Sets: []BackupSet{full}},
		{Name: s.Database + "_standby.tuf", Raw: []byte("TUF undo data of a STANDBY restore (simulated)\n")},
		{Name: FileName(s.Database, newest.BackupStartDate) + ".tmp", Raw: partial[:len(partial)/3]},
	}
}
