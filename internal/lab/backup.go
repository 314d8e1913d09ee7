package lab

import (
	"strings"
)

// backupSpec is a parsed BACKUP DATABASE | LOG … TO DISK statement.
type backupSpec struct {
	kind string // DATABASE or LOG
	db   expr
	disk expr
	// init overwrites the sets of an existing file (NOINIT, the
	// default, appends); format also rewrites its media header.
	init, format bool
	copyOnly     bool
	checksum     bool
	// noRecovery is BACKUP LOG … WITH NORECOVERY (a tail-log backup
	// that leaves the database RESTORING).
	noRecovery bool
	// compression is nil when not given: the set follows the media.
	compression *bool
	stats       expr
	name, desc  expr
}

// backupExclusive are option pairs of which a statement may name one.
var backupExclusive = map[string]string{
	"INIT": "NOINIT", "NOINIT": "INIT", "FORMAT": "NOFORMAT", "NOFORMAT": "FORMAT",
	"SKIP": "NOSKIP", "NOSKIP": "SKIP", "CHECKSUM": "NO_CHECKSUM", "NO_CHECKSUM": "CHECKSUM",
	"COMPRESSION": "NO_COMPRESSION", "NO_COMPRESSION": "COMPRESSION", "UNLOAD": "NOUNLOAD", "NOUNLOAD": "UNLOAD",
}

// parseBackup parses BACKUP DATABASE | LOG db|@var TO DISK = path|@var
// [WITH options]. Backups to URL or tape, to several devices, of files
// or filegroups, differential backups and the options that only matter
// to them are not simulated (50000).
func parseBackup(p *parser, text string) (func(*stmtCtx) error, error) {
	b := backupSpec{kind: strings.ToUpper(p.next().text)}
	if b.kind != "DATABASE" && b.kind != "LOG" {
		return nil, fail(msgUnsupported(text))
	}
	db, err := p.restoreName()
	if err != nil {
		return nil, err
	}
	b.db = db
	for _, kw := range []string{"FILE", "FILEGROUP", "READ_WRITE_FILEGROUPS"} {
		if p.peek().is(kw) {
			return nil, fail(msgUnsupported(text + " (file and filegroup backups)"))
		}
	}
	if err := p.expect("TO"); err != nil {
		return nil, err
	}
	if !p.accept("DISK") {
		return nil, fail(msgUnsupported(text + " (the lab backs up to DISK only)"))
	}
	if err := p.expectOp("="); err != nil {
		return nil, err
	}
	if b.disk, err = p.parsePrimary(); err != nil {
		return nil, err
	}
	if p.peek().isOp(",") || p.peek().is("MIRROR") {
		return nil, fail(msgUnsupported(text + " (one backup device only)"))
	}
	if p.accept("WITH") {
		if err := p.backupOptions(&b, text); err != nil {
			return nil, err
		}
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return func(x *stmtCtx) error { return x.backup(b) }, nil
}

// backupOptions parses BACKUP's WITH list. Options that exclude each
// other get 3031 and NORECOVERY on BACKUP DATABASE 3032, before the
// batch runs.
func (p *parser) backupOptions(b *backupSpec, text string) error {
	seen := map[string]bool{}
	for {
		opt := strings.ToUpper(p.next().text)
		if other, ok := backupExclusive[opt]; ok && seen[other] {
			return fail(msgConflictingOptions(other, opt))
		}
		seen[opt] = true
		if err := p.backupOption(b, opt, text); err != nil {
			return err
		}
		if !p.acceptOp(",") {
			return nil
		}
	}
}

func (p *parser) backupOption(b *backupSpec, opt, text string) error {
	var err error
	on, off := true, false
	switch opt {
	case "INIT":
		b.init = true
	case "FORMAT":
		b.init, b.format = true, true
	case "COPY_ONLY":
		b.copyOnly = true
	case "CHECKSUM":
		b.checksum = true
	case "COMPRESSION":
		if p.peek().isOp("(") {
			return fail(msgUnsupported(text + " (COMPRESSION with an algorithm)"))
		}
		b.compression = &on
	case "NO_COMPRESSION":
		b.compression = &off
	case "NORECOVERY":
		if b.kind != "LOG" {
			return fail(msgOptionsNotSupported("NORECOVERY"))
		}
		b.noRecovery = true
	case "STATS":
		b.stats, err = p.statsValue()
	case "NAME":
		b.name, err = p.optionValue()
	case "DESCRIPTION":
		b.desc, err = p.optionValue()
	case "NOINIT", "NOFORMAT", "SKIP", "NOSKIP", "NO_CHECKSUM", "NOUNLOAD", "UNLOAD", "STOP_ON_ERROR":
		// The defaults, or options that change nothing for a disk file
		// whose sets never expire.
	case "BUFFERCOUNT", "MAXTRANSFERSIZE", "BLOCKSIZE":
		_, err = p.optionValue()
	default:
		return fail(msgUnsupported("BACKUP option " + opt))
	}
	return err
}
