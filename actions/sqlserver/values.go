package sqlserver

import (
	"encoding/hex"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// plainValue turns a value scanned from a column into one that outputs
// and the journal hold as JSON: decimals as their digits (an LSN does
// not fit in a float), GUIDs as text, binary as 0x…, times as RFC 3339.
func plainValue(v any, dbType string) any {
	switch x := v.(type) {
	case []byte:
		switch dbType {
		case "UNIQUEIDENTIFIER":
			var u mssql.UniqueIdentifier
			if err := u.Scan(x); err == nil {
				return u.String()
			}
		case "DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY":
			return string(x)
		}
		return "0x" + hex.EncodeToString(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case uint8:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}
