package labfile

import "github.com/failover-dev/failover/internal/lsn"

// FileEntry is one database file a backup set holds, as RESTORE
// FILELISTONLY lists it: the logical name a MOVE clause names, the
// physical name the restore writes to unless moved, and its type.
type FileEntry struct {
	LogicalName  string `json:"logical_name"`
	PhysicalName string `json:"physical_name"`
	// Type is "D" (data) or "L" (log).
	Type string `json:"type"`
	// FileGroupName is "PRIMARY" for the data file, "" (NULL) for a log.
	FileGroupName string `json:"filegroup_name,omitempty"`
	FileID        int    `json:"file_id"`
	// Size is the file's size in bytes.
	Size int64 `json:"size"`
	// UniqueID identifies the file (FILELISTONLY's UniqueID).
	UniqueID string `json:"unique_id"`
	// CreateLSN is the LSN at which the file was created.
	CreateLSN lsn.LSN `json:"create_lsn"`
}

// The file types of FileEntry.Type.
const (
	FileData = "D"
	FileLog  = "L"
)
