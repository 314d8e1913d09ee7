package tds

import (
	"database/sql"
	"errors"
	"testing"
)

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }

func openBenchDB(b *testing.B, dsn string) *sql.DB {
	b.Helper()
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// maxMessageSize bounds a response read by the tests' raw client.
const maxMessageSize = 64 << 20
