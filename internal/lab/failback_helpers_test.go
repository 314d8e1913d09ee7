package lab

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/lsn"
)

// onShare is a file on the log shipping share as SQL Server names it.
func onShare(name string) string { return defaultSharePath + `\` + name }

// rowsAsMaps runs q and returns every row as column name → value
// ([]byte values as strings), reading by name as a failover must.
func rowsAsMaps(t *testing.T, db *sql.DB, q string, args ...any) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			m[c] = vals[i]
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// lsnOf reads an LSN column of a row.
func lsnOf(t *testing.T, row map[string]any, col string) lsn.LSN {
	t.Helper()
	var l lsn.LSN
	if err := l.Scan(row[col]); err != nil {
		t.Fatalf("%s = %v: %v", col, row[col], err)
	}
	return l
}

// headerRows is RESTORE HEADERONLY of a device.
func headerRows(t *testing.T, db *sql.DB, device string) []map[string]any {
	t.Helper()
	return rowsAsMaps(t, db, "RESTORE HEADERONLY FROM DISK = @d", sql.Named("d", device))
}

// dbState reads a database's state_desc and redo_start_lsn.
func stateOf(t *testing.T, db *sql.DB, name string) (string, lsn.LSN) {
	t.Helper()
	rows := rowsAsMaps(t, db, `SELECT d.state_desc, mf.redo_start_lsn FROM sys.databases AS d
LEFT JOIN sys.master_files AS mf ON mf.database_id = d.database_id AND mf.file_id = 1 WHERE d.name = @db`, sql.Named("db", name))
	if len(rows) != 1 {
		t.Fatalf("database %s: %d rows", name, len(rows))
	}
	return fmt.Sprint(rows[0]["state_desc"]), lsnOf(t, rows[0], "redo_start_lsn")
}
