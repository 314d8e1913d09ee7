// Package journal is the durable, append-only record of one run of a plan.
//
// A run's journal lives at <stateDir>/<plan>/<runID>.journal. The engine
// writes a record before every side effect ("step-started") and after every
// outcome, and syncs it to disk before the effect starts, so that a resumed
// run knows exactly which steps finished, which never started, and which are
// in doubt.
//
// # File layout
//
// The file starts with an 8-byte magic that carries the format version,
// followed by frames. The first frame holds the Header, every later frame
// one Record. All integers are little-endian.
//
//	offset 0
//	+---+---+---+---+---+---+---+---+
//	| F | O | J | R | N | L | 0 | 2 |   magic "FOJRNL" + format version "02"
//	+---+---+---+---+---+---+---+---+
//	| frame: Header                  |
//	+--------------------------------+
//	| frame: Record seq 1            |
//	+--------------------------------+
//	| frame: Record seq 2            |
//	+--------------------------------+
//	| ...                            |
//
// One frame:
//
//	 0               4               8                     8+len
//	+---------------+---------------+------------------------+
//	| len uint32    | crc uint32    | payload (JSON, len B)  |
//	+---------------+---------------+------------------------+
//	crc = CRC-32C (Castagnoli) over the 4 len bytes followed by the payload
//
// The checksum covers the length so that a corrupt length is caught instead
// of being trusted to skip an arbitrary amount of the file. A payload is
// never empty and never longer than MaxRecordSize (under 2^24), so the
// highest byte of a valid length is always 0x00 — a byte that JSON text never
// contains. A frame can therefore never be forged by the content of another
// record's payload, which makes the scan for "good records after a bad one"
// (see below) trustworthy.
//
// # Damage
//
// A crash can leave the final frame torn (a prefix of it written). A bad
// final frame, torn or corrupt, is tail damage: Open and Repair cut the file
// back to the last good record and keep the original beside it as
// <path>.torn-<time>; nothing before the damage is lost. A bad frame followed
// by any good frame is not a crash artefact but corruption of data that was
// once durable: Read and Open refuse it with an error wrapping ErrCorrupt
// that names the offset, and only Repair with force cuts it back.
//
// A bad header is a *HeaderError: nothing after it can be read as the
// run's without it. Rescue reads what can still be read (the damaged
// header's payload, every record frame found whole after it), and Rewrite
// gives the records a header rebuilt by the caller, keeping them as they
// were written. Every repair keeps a copy of the file first, and a copy or
// temporary file that could not be written whole (a full disk) is removed.
//
// # The sync mark
//
// A journal cut cleanly at a frame boundary is not damaged: it reads as a
// run that stopped there. A Writer that keeps the sync mark (KeepMark)
// rewrites <stateDir>/<plan>/<runID>.seq after every sync with the seq of
// the last durable record, so that such a cut can be told (see MarkPath).
// The mark is written after the journal's fsync and not synced itself: it
// may lag the journal after a crash, never lead it.
//
// # Images
//
// The same bytes can be kept elsewhere than in one file: an image is a
// journal's bytes in memory (image.go). engine/store/etcdstore keeps the
// magic and header under one key and each record's frame under a key of
// its own; reading, damage, rescue and repair then run on the image, the
// very code the file uses.
//
// # Durability
//
// Append writes a frame with one write call and does not sync; Sync makes
// every record appended before it durable with a single fsync (group commit),
// so the engine can append an outcome and sync it together with the next
// step's start record. Any write or sync failure poisons the Writer.
package journal
