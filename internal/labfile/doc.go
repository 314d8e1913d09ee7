// Package labfile is the lab's backup-file format, its generator's LSN steps and
// the LSN-chain rules of RESTORE LOG.
//
// A lab backup file stands in for a SQL Server .trn/.bak file: it holds one
// or more backup sets with the header fields RESTORE HEADERONLY reports
// (database, type, first and last LSN, recovery fork, dates, version,
// simulated page counts). It is not MTF and no real tool reads it; the lab's
// simulated instances do, and so do tests.
//
// The file is a header followed by one frame per backup set:
//
//	+----------------+---------+--------+------------------+
//	| magic          | version | sets   | crc32c(0..12)    |   header, 16 bytes
//	| "FOLABBAK" 8 B | u16 BE  | u16 BE | u32 BE           |
//	+----------------+---------+--------+------------------+
//	| length u32 BE | crc32c(length ‖ payload) u32 BE | payload (JSON) |  × sets
//	+---------------+---------------------------------+----------------+
//
// A file cut anywhere (a copy in progress, a backup still being written)
// is ErrTruncated; a file that does not start with the magic is
// ErrNotBackup; a frame whose checksum does not match is ErrDamaged. The
// header's set count makes a file cut exactly between two frames
// detectable too.
//
// The chain rules (CheckRestore, ClassifyLog) are pure functions of a
// database's restore point and a set's header, shared by the simulator
// (which answers RESTORE LOG with SQL Server's error numbers) and the
// logship.apply action (which decides which set comes next).
package labfile
