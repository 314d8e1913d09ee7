package lab

import (
	"strings"

	"github.com/failover-dev/failover/internal/labfile"
)

// dbFile is one file of a database as sys.master_files shows it. The lab
// keeps no file on disk: the names are what RESTORE checks for clashes
// between databases (1834) and what MOVE changes.
type dbFile struct {
	Logical  string `json:"name"`
	Physical string `json:"physical_name"`
	// Type is labfile.FileData or labfile.FileLog.
	Type string `json:"type"`
}

// defaultDataFolder is where the lab's databases keep their files.
const defaultDataFolder = `D:\SQLData\`

// defaultFiles are a database's files when nothing else is recorded: a
// data file and a log file named after it.
func defaultFiles(db string) []dbFile {
	return []dbFile{
		{Logical: db, Physical: defaultDataFolder + db + ".mdf", Type: labfile.FileData},
		{Logical: db + "_log", Physical: defaultDataFolder + db + "_log.ldf", Type: labfile.FileLog},
	}
}

// files are the database's files, data file first.
func (d *dbState) files() []dbFile {
	if len(d.Files) == 0 {
		return defaultFiles(d.Name)
	}
	return d.Files
}

// fileOwner finds which database of the instance uses a physical file
// (case-insensitively, as Windows paths compare); nil when none does.
// The caller holds mu.
func (in *instance) fileOwner(physical string) *dbState {
	for _, d := range in.st.Databases {
		for _, f := range d.files() {
			if strings.EqualFold(f.Physical, physical) {
				return d
			}
		}
	}
	return nil
}

// fileEntries are the database's files as a backup set records them.
func (d *dbState) fileEntries(set labfile.BackupSet) []labfile.FileEntry {
	var out []labfile.FileEntry
	for i, f := range d.files() {
		e := labfile.FileEntry{LogicalName: f.Logical, PhysicalName: f.Physical, Type: f.Type,
			FileID: i + 1, UniqueID: strings.ToUpper(stableGUID("file", d.Name, f.Logical).String())}
		if f.Type == labfile.FileData {
			e.FileGroupName = "PRIMARY"
			e.Size = int64(set.DataPages+128) * 8192
		} else {
			e.Size = int64(set.LogPages+1024) * 8192
		}
		out = append(out, e)
	}
	return out
}

// setFiles are the files a backup set holds; a set written before the
// lab recorded files holds its database's default files.
func setFiles(set labfile.BackupSet) []labfile.FileEntry {
	if len(set.Files) > 0 {
		return set.Files
	}
	d := &dbState{Name: set.DatabaseName}
	return d.fileEntries(set)
}
