package lsn

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// Scan reads an LSN from a numeric(25,0) column as a driver returns it:
// []byte or string of digits (go-mssqldb), possibly with a zero fraction
// ("123.0", as some drivers render a numeric), or int64 from other
// sources. NULL scans as the zero LSN.
func (l *LSN) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*l = LSN{}
		return nil
	case []byte:
		s = string(v)
	case string:
		s = v
	case int64:
		if v < 0 {
			return fmt.Errorf("scan LSN %d: negative: %w", v, ErrBad)
		}
		s = strconv.FormatInt(v, 10)
	default:
		return fmt.Errorf("scan LSN from %T: %w", src, ErrBad)
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*l = p
	return nil
}

// Value passes the LSN to a driver as its decimal string.
func (l LSN) Value() (driver.Value, error) { return l.String(), nil }

// MarshalText encodes the LSN as its decimal digits (JSON checkpoints, the
// lab's files and state).
func (l LSN) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses decimal digits, as Parse does.
func (l *LSN) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*l = p
	return nil
}
