package lab

import (
	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/tds"
)

// parseFileListOnly parses RESTORE FILELISTONLY FROM DISK = path|@var
// [WITH FILE = n, [NO_]CHECKSUM, [NO]UNLOAD].
func parseFileListOnly(p *parser, text string) (func(*stmtCtx) error, error) {
	r := restoreSpec{kind: "FILELISTONLY"}
	if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	if err := p.expect("DISK"); err != nil {
		return nil, fail(msgUnsupported(text + " (the lab reads DISK devices only)"))
	}
	if err := p.expectOp("="); err != nil {
		return nil, err
	}
	disk, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	r.disk = disk
	if p.accept("WITH") {
		if err := p.restoreOptions(&r); err != nil {
			return nil, err
		}
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return func(x *stmtCtx) error { return x.fileListOnly(r) }, nil
}

// fileListOnly answers RESTORE FILELISTONLY: one row per database file
// of backup set FILE (default 1). It needs CREATE DATABASE (262), as
// HEADERONLY does.
func (x *stmtCtx) fileListOnly(r restoreSpec) error {
	term := msgTerminating("RESTORE FILELIST")
	if !x.sysadmin() {
		return fail(msgCreateDatabaseDenied(), term)
	}
	dev, err := x.devicePath(r.disk)
	if err != nil {
		return err
	}
	pos, err := x.evalFile(r.file)
	if err != nil {
		return err
	}
	set, err := x.readSet(dev, pos, term)
	if err != nil {
		return err
	}
	rs := tds.ResultSet{Columns: fileListColumns}
	for _, f := range setFiles(set) {
		rs.Rows = append(rs.Rows, wireRow(fileListRow(f, set)))
	}
	x.w.Rows(rs)
	return nil
}

// fileListColumns are RESTORE FILELISTONLY's columns (SQL Server 2014);
// Type is char(1) there, nvarchar here.
var fileListColumns = []tds.Column{
	cStr("LogicalName"), cStr("PhysicalName"), cStr("Type"), cStr("FileGroupName"),
	{Name: "Size", Type: tds.TypeNumeric, Precision: 20}, {Name: "MaxSize", Type: tds.TypeNumeric, Precision: 20},
	{Name: "FileID", Type: tds.TypeBigInt}, cLSN("CreateLSN"), cLSN("DropLSN"), cGUID("UniqueID"),
	cLSN("ReadOnlyLSN"), cLSN("ReadWriteLSN"), {Name: "BackupSizeInBytes", Type: tds.TypeBigInt},
	cInt("SourceBlockSize"), cInt("FileGroupID"), cGUID("LogGroupGUID"), cLSN("DifferentialBaseLSN"),
	cGUID("DifferentialBaseGUID"), cBit("IsReadOnly"), cBit("IsPresent"),
	{Name: "TDEThumbprint", Type: tds.TypeVarBinary}, cStr("SnapshotURL"),
}

// fileListRow is one file's FILELISTONLY row.
func fileListRow(f labfile.FileEntry, set labfile.BackupSet) []any {
	group, groupID := any(nil), int64(0)
	size := set.LogPages * 8192
	if f.Type == labfile.FileData {
		group, groupID, size = f.FileGroupName, 1, set.DataPages*8192
	}
	return []any{f.LogicalName, f.PhysicalName, f.Type, group, numeric(itoa64(f.Size)),
		numeric("35184372080640"), int64(f.FileID), nullLSN(f.CreateLSN), nil, guid(f.UniqueID),
		nil, nil, int64(size), int64(512), groupID, nil, nil, nil, false, true, nil, nil}
}
