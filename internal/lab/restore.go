package lab

import (
	"strings"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
	"github.com/failover-dev/failover/internal/tds"
)

// restoreSpec is a parsed RESTORE statement.
type restoreSpec struct {
	kind    string // HEADERONLY, LOG, DATABASE
	db      expr   // nil for HEADERONLY
	disk    expr   // nil for RESTORE DATABASE … WITH RECOVERY
	file    expr   // FILE = n
	mode    string // RECOVERY (default), NORECOVERY, STANDBY
	standby expr
	restart bool
	// stats is the percentage step of WITH STATS progress (nil: none).
	stats expr
}

// parseRestore parses RESTORE HEADERONLY | LOG | DATABASE.
func parseRestore(p *parser, text string) (func(*stmtCtx) error, bool, error) {
	r := restoreSpec{kind: strings.ToUpper(p.next().text), mode: "RECOVERY"}
	switch r.kind {
	case "HEADERONLY":
	case "FILELISTONLY":
		run, err := parseFileListOnly(p, text)
		return run, false, err
	case "LOG", "DATABASE":
		e, err := p.restoreName()
		if err != nil {
			return nil, false, err
		}
		r.db = e
		if r.kind == "DATABASE" && p.peek().is("FROM") {
			run, err := parseRestoreFull(p, text, e)
			return run, true, err
		}
	default:
		return nil, false, fail(msgUnsupported(text))
	}
	if p.accept("FROM") {
		if err := p.expect("DISK"); err != nil {
			return nil, false, err
		}
		if err := p.expectOp("="); err != nil {
			return nil, false, err
		}
		e, err := p.parsePrimary()
		if err != nil {
			return nil, false, err
		}
		r.disk = e
	}
	if p.accept("WITH") {
		if err := p.restoreOptions(&r); err != nil {
			return nil, false, err
		}
	}
	if !p.done() {
		return nil, false, p.errNear()
	}
	switch {
	case r.kind == "HEADERONLY" && r.disk == nil, r.kind == "LOG" && r.disk == nil:
		return nil, false, fail(msgSyntax(text[len(text)-min(len(text), 10):]))
	case r.kind == "HEADERONLY":
		return func(x *stmtCtx) error { return x.headerOnly(r) }, false, nil
	}
	// Only RESTORE LOG is cut off midway by a drop fault (its set marked
	// interrupted); RESTORE DATABASE … WITH RECOVERY drops before it runs.
	return func(x *stmtCtx) error { return x.restore(r) }, r.kind == "LOG", nil
}

// restoreName reads the database of RESTORE: a name or a variable.
func (p *parser) restoreName() (expr, error) {
	t := p.peek()
	if t.kind == tVar {
		p.next()
		return varExpr{strings.ToLower(t.text)}, nil
	}
	n, err := p.ident()
	return litExpr{n}, err
}

// readOnlyOptions are the options RESTORE HEADERONLY and FILELISTONLY
// take that the lab's RESTORE accepts too; the options of a restore
// (NORECOVERY, STANDBY, RESTART, STATS, REPLACE, …) mean nothing to them.
var readOnlyOptions = map[string]bool{"FILE": true, "CHECKSUM": true, "NO_CHECKSUM": true, "UNLOAD": true, "NOUNLOAD": true}

func (p *parser) restoreOptions(r *restoreSpec) error {
	mode := "" // the first of RECOVERY, NORECOVERY, STANDBY given
	for {
		opt := strings.ToUpper(p.next().text)
		if (r.kind == "HEADERONLY" || r.kind == "FILELISTONLY") && !readOnlyOptions[opt] {
			return fail(msgUnsupported("RESTORE " + r.kind + " option " + opt))
		}
		var err error
		switch opt {
		case "RECOVERY", "NORECOVERY", "STANDBY":
			if mode != "" && mode != opt {
				// The end states exclude each other; SQL Server refuses
				// the statement before it runs.
				return fail(msgConflictingOptions(mode, opt))
			}
			mode, r.mode = opt, opt
			if opt == "STANDBY" {
				r.standby, err = p.optionValue()
			}
		case "FILE":
			r.file, err = p.optionValue()
		case "RESTART":
			r.restart = true
		case "STATS":
			r.stats, err = p.statsValue()
		case "CHECKSUM", "NO_CHECKSUM", "NOUNLOAD", "UNLOAD", "REPLACE", "KEEP_REPLICATION":
		case "BUFFERCOUNT", "MAXTRANSFERSIZE", "BLOCKSIZE":
			_, err = p.optionValue()
		default:
			return fail(msgUnsupported("RESTORE option " + opt))
		}
		if err != nil {
			return err
		}
		if !p.acceptOp(",") {
			return nil
		}
	}
}

func (p *parser) optionValue() (expr, error) {
	if err := p.expectOp("="); err != nil {
		return nil, err
	}
	return p.parsePrimary()
}

// statsValue parses what follows STATS in BACKUP and RESTORE: "= n",
// or nothing for every 10 percent.
func (p *parser) statsValue() (expr, error) {
	if !p.peek().isOp("=") {
		return litExpr{int64(10)}, nil
	}
	return p.optionValue()
}

// evalText evaluates an expression to a string (a path or a name).
func (x *stmtCtx) evalText(e expr) (string, error) {
	v, err := (&env{x: x}).eval(e)
	if err != nil {
		return "", err
	}
	return toText(v), nil
}

func (x *stmtCtx) evalFile(e expr) (int, error) {
	if e == nil {
		return 1, nil
	}
	v, err := (&env{x: x}).eval(e)
	if err != nil {
		return 0, err
	}
	n, err := castTo(v, "int")
	if err != nil || n == nil {
		return 0, fail(msgSyntax("FILE"))
	}
	return int(n.(int64)), nil
}

// headerOnly answers RESTORE HEADERONLY: one row per backup set.
func (x *stmtCtx) headerOnly(r restoreSpec) error {
	term := msgTerminating("RESTORE HEADERONLY")
	if !x.sysadmin() {
		return fail(msgCreateDatabaseDenied(), term)
	}
	dev, err := x.devicePath(r.disk)
	if err != nil {
		return err
	}
	sets, m, abort := x.readBackup(dev)
	switch {
	case abort:
		return errAbort
	case m != nil:
		return fail(*m, term)
	}
	if r.file != nil {
		pos, err := x.evalFile(r.file)
		if err != nil {
			return err
		}
		sets = filterPosition(sets, pos)
		if len(sets) == 0 {
			return fail(msgNoFileID(pos, dev.name), term)
		}
	}
	rs := tds.ResultSet{Columns: headerColumns}
	for _, s := range sets {
		rs.Rows = append(rs.Rows, wireRow(x.in.headerRow(s)))
	}
	x.w.Rows(rs)
	return nil
}

func filterPosition(sets []labfile.BackupSet, pos int) []labfile.BackupSet {
	for _, s := range sets {
		if s.Position == pos {
			return []labfile.BackupSet{s}
		}
	}
	return nil
}

// headerColumns are RESTORE HEADERONLY's columns (SQL Server 2014).
var headerColumns = []tds.Column{
	cStr("BackupName"), cStr("BackupDescription"), cSmall("BackupType"), cTime("ExpirationDate"),
	cBit("Compressed"), cSmall("Position"), cTiny("DeviceType"), cStr("UserName"), cStr("ServerName"),
	cStr("DatabaseName"), cInt("DatabaseVersion"), cTime("DatabaseCreationDate"),
	{Name: "BackupSize", Type: tds.TypeNumeric, Precision: 20}, cLSN("FirstLSN"), cLSN("LastLSN"),
	cLSN("CheckpointLSN"), cLSN("DatabaseBackupLSN"), cTime("BackupStartDate"), cTime("BackupFinishDate"),
	cSmall("SortOrder"), cSmall("CodePage"), cInt("UnicodeLocaleId"), cInt("UnicodeComparisonStyle"),
	cTiny("CompatibilityLevel"), cInt("SoftwareVendorId"), cInt("SoftwareVersionMajor"),
	cInt("SoftwareVersionMinor"), cInt("SoftwareVersionBuild"), cStr("MachineName"), cInt("Flags"),
	cGUID("BindingID"), cGUID("RecoveryForkID"), cStr("Collation"), cGUID("FamilyGUID"),
	cBit("HasBulkLoggedData"), cBit("IsSnapshot"), cBit("IsReadOnly"), cBit("IsSingleUser"),
	cBit("HasBackupChecksums"), cBit("IsDamaged"), cBit("BeginsLogChain"), cBit("HasIncompleteMetaData"),
	cBit("IsForceOffline"), cBit("IsCopyOnly"), cGUID("FirstRecoveryForkID"), cLSN("ForkPointLSN"),
	cStr("RecoveryModel"), cLSN("DifferentialBaseLSN"), cGUID("DifferentialBaseGUID"),
	cStr("BackupTypeDescription"), cGUID("BackupSetGUID"), {Name: "CompressedBackupSize", Type: tds.TypeBigInt},
	cTiny("Containment"), cStr("KeyAlgorithm"), {Name: "EncryptorThumbprint", Type: tds.TypeVarBinary},
	cStr("EncryptorType"), // NULL: the lab's backups are not encrypted
}

// headerRow is one set's HEADERONLY row. Its dates are the backup
// server's local time, as SQL Server shows them (the file keeps the
// instant; the lab's servers share one time zone).
func (in *instance) headerRow(s labfile.BackupSet) []any {
	row := make([]any, len(headerColumns))
	if s.PasswordProtected {
		row[0] = "*** Password Protected ***"
		return row
	}
	collation := s.Collation
	if collation == "" {
		collation = "SQL_Latin1_General_CP1_CI_AS"
	}
	values := []any{nullStr(s.BackupName), nullStr(s.BackupDescription), int64(s.BackupType), nil,
		s.Compressed, int64(s.Position), int64(2), s.UserName, s.ServerName,
		s.DatabaseName, int64(s.DatabaseVersion), nil,
		numeric(itoa64(s.BackupSize)), lsnValue(s.FirstLSN), lsnValue(s.LastLSN),
		lsnValue(s.CheckpointLSN), lsnValue(s.DatabaseBackupLSN), nullTime(in.localTime(s.BackupStartDate)), nullTime(in.localTime(s.BackupFinishDate)),
		int64(52), int64(0), int64(1033), int64(196609),
		int64(120), int64(4608), int64(s.SoftwareVersionMajor),
		int64(s.SoftwareVersionMinor), int64(s.SoftwareVersionBuild), s.MachineName, int64(s.Flags),
		guidValue(s.FamilyGUID), guidValue(s.RecoveryForkID), collation, guidValue(s.FamilyGUID),
		false, false, false, false,
		s.HasChecksums, s.IsDamaged, s.BeginsLogChain, false,
		s.IsForceOffline, s.IsCopyOnly, guidValue(s.FirstRecoveryForkID), nullLSN(s.ForkPointLSN),
		s.RecoveryModel, nil, nil,
		labfile.TypeDescription(s.BackupType), guidValue(s.BackupSetGUID), s.CompressedBackupSize,
		int64(0),
	}
	copy(row, values)
	return row
}

func lsnValue(l lsn.LSN) any { return numeric(l.String()) }

func nullLSN(l lsn.LSN) any {
	if l.IsZero() {
		return nil
	}
	return lsnValue(l)
}

func guidValue(g uuid.UUID) any {
	if g == (uuid.UUID{}) {
		return nil
	}
	return guid(strings.ToUpper(g.String()))
}

func itoa64(n int64) string {
	if n < 0 {
		n = 0
	}
	return itoa(int(n))
}
