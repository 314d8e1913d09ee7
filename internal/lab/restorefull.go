package lab

import (
	"strings"
)

// fullRestoreSpec is a parsed RESTORE DATABASE … FROM DISK statement.
type fullRestoreSpec struct {
	db, disk, file expr
	mode           string // RECOVERY (default), NORECOVERY, STANDBY
	standby        expr
	replace        bool
	restrictedUser bool
	moves          []fileMove
	stats          expr
}

// fileMove is one MOVE 'logical' TO 'physical' clause.
type fileMove struct{ logical, physical expr }

// parseRestoreFull parses RESTORE DATABASE db|@var FROM DISK = path|@var
// [WITH FILE = n, REPLACE, RECOVERY | NORECOVERY | STANDBY = path,
// MOVE 'logical' TO 'physical', STATS [= n], RESTRICTED_USER, …].
// Options that exclude each other get 3031 before the batch runs;
// RESTART, STOPAT and the options of partial, piecemeal, encrypted or
// tape restores are not simulated (50000).
func parseRestoreFull(p *parser, text string, db expr) (func(*stmtCtx) error, error) {
	r := fullRestoreSpec{db: db, mode: "RECOVERY"}
	if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	if !p.accept("DISK") {
		return nil, fail(msgUnsupported(text + " (the lab restores from DISK only)"))
	}
	if err := p.expectOp("="); err != nil {
		return nil, err
	}
	var err error
	if r.disk, err = p.parsePrimary(); err != nil {
		return nil, err
	}
	if p.peek().isOp(",") {
		return nil, fail(msgUnsupported(text + " (one backup device only)"))
	}
	if p.accept("WITH") {
		if err := p.fullRestoreOptions(&r, text); err != nil {
			return nil, err
		}
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return func(x *stmtCtx) error { return x.restoreFull(r) }, nil
}

func (p *parser) fullRestoreOptions(r *fullRestoreSpec, text string) error {
	mode := ""
	for {
		opt := strings.ToUpper(p.next().text)
		var err error
		switch opt {
		case "RECOVERY", "NORECOVERY", "STANDBY":
			if mode != "" && mode != opt {
				return fail(msgConflictingOptions(mode, opt))
			}
			mode, r.mode = opt, opt
			if opt == "STANDBY" {
				r.standby, err = p.optionValue()
			}
		case "FILE":
			r.file, err = p.optionValue()
		case "REPLACE":
			r.replace = true
		case "RESTRICTED_USER":
			r.restrictedUser = true
		case "MOVE":
			err = p.parseMove(r)
		case "STATS":
			r.stats, err = p.statsValue()
		case "CHECKSUM", "NO_CHECKSUM", "NOUNLOAD", "UNLOAD", "STOP_ON_ERROR", "NOREWIND", "REWIND":
		case "BUFFERCOUNT", "MAXTRANSFERSIZE", "BLOCKSIZE":
			_, err = p.optionValue()
		default:
			return fail(msgUnsupported("RESTORE DATABASE option " + opt))
		}
		if err != nil {
			return err
		}
		if !p.acceptOp(",") {
			return nil
		}
	}
}

// parseMove parses 'logical' TO 'physical' after MOVE.
func (p *parser) parseMove(r *fullRestoreSpec) error {
	logical, err := p.parsePrimary()
	if err != nil {
		return err
	}
	if err := p.expect("TO"); err != nil {
		return err
	}
	physical, err := p.parsePrimary()
	if err != nil {
		return err
	}
	r.moves = append(r.moves, fileMove{logical, physical})
	return nil
}
