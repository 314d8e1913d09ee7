package tds

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

func init() {
	when := time.Date(2026, 11, 26, 4, 5, 6, 123456700, time.UTC)
	fixtures["select types"] = ResultSet{
		Columns: []Column{
			{Name: "i", Type: TypeInt}, {Name: "bi", Type: TypeBigInt}, {Name: "si", Type: TypeSmallInt},
			{Name: "ti", Type: TypeTinyInt}, {Name: "b", Type: TypeBit}, {Name: "s", Type: TypeNVarChar},
			{Name: "vb", Type: TypeVarBinary}, {Name: "f", Type: TypeFloat}, {Name: "dt", Type: TypeDateTime},
			{Name: "dt2", Type: TypeDateTime2}, {Name: "g", Type: TypeUniqueIdentifier},
			{Name: "lsn", Type: TypeNumeric, Precision: 25}, {Name: "amount", Type: TypeNumeric, Precision: 10, Scale: 2},
		},
		Rows: [][]any{
			{int64(-2147483648), int64(9223372036854775807), int64(-32768), int64(255), true, "héllo ü€𝄞",
				[]byte{0, 1, 2, 255}, 3.25, when, when, "6F9619FF-8B86-D011-B42D-00C04FC964FF",
				"1234567890123456789012345", "-12.50"},
			{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
			{int64(0), int64(-1), int64(0), int64(0), false, strings.Repeat("x", 5000),
				make([]byte, 9000), -0.5, time.Date(1753, 1, 1, 0, 0, 0, 0, time.UTC),
				time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), [16]byte{0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF},
				"-98765432109876543210", "0"},
		},
	}
	fixtures["select bad"] = ResultSet{Columns: []Column{{Name: "n", Type: TypeInt}}, Rows: [][]any{{"not a number"}}}
}

type typesRow struct {
	i, bi, si, ti sql.NullInt64
	b             sql.NullBool
	s             sql.NullString
	vb            []byte
	f             sql.NullFloat64
	dt, dt2       sql.NullTime
	g             mssql.NullUniqueIdentifier
	lsn, amount   sql.NullString
}

func TestResultTypesRoundTrip(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	rows, err := db.Query("select types")
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	defer rows.Close()
	var got []typesRow
	for rows.Next() {
		var r typesRow
		if err := rows.Scan(&r.i, &r.bi, &r.si, &r.ti, &r.b, &r.s, &r.vb, &r.f, &r.dt, &r.dt2, &r.g, &r.lsn, &r.amount); err != nil {
			t.Fatalf("scan: %v", err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d rows, want 3", len(got))
	}
	t.Run("values", func(t *testing.T) { checkFirstRow(t, got[0]) })
	t.Run("nulls", func(t *testing.T) {
		r := got[1]
		if r.i.Valid || r.bi.Valid || r.b.Valid || r.s.Valid || r.vb != nil || r.f.Valid || r.dt.Valid || r.dt2.Valid || r.g.Valid || r.lsn.Valid {
			t.Errorf("NULL row came back with values: %+v", r)
		}
	})
	t.Run("max and limits", func(t *testing.T) {
		r := got[2]
		if len(r.s.String) != 5000 || len(r.vb) != 9000 {
			t.Errorf("(max) lengths = %d, %d", len(r.s.String), len(r.vb))
		}
		if r.lsn.String != "-98765432109876543210" || r.amount.String != "0.00" {
			t.Errorf("numerics = %q, %q", r.lsn.String, r.amount.String)
		}
		if !r.dt.Time.Equal(time.Date(1753, 1, 1, 0, 0, 0, 0, time.UTC)) || r.dt2.Time.Year() != 1 {
			t.Errorf("dates = %v, %v", r.dt.Time, r.dt2.Time)
		}
		if r.g.UUID.String() != "00112233-4455-6677-8899-AABBCCDDEEFF" {
			t.Errorf("guid = %s", r.g.UUID)
		}
	})
}

func checkFirstRow(t *testing.T, r typesRow) {
	t.Helper()
	when := time.Date(2026, 11, 26, 4, 5, 6, 123456700, time.UTC)
	ints := []int64{r.i.Int64, r.bi.Int64, r.si.Int64, r.ti.Int64}
	wantInts := []int64{-2147483648, 9223372036854775807, -32768, 255}
	for k := range ints {
		if ints[k] != wantInts[k] {
			t.Errorf("int column %d = %d, want %d", k, ints[k], wantInts[k])
		}
	}
	if !r.b.Bool || r.s.String != "héllo ü€𝄞" || string(r.vb) != "\x00\x01\x02\xff" || r.f.Float64 != 3.25 {
		t.Errorf("bit/string/binary/float = %v %q %x %v", r.b.Bool, r.s.String, r.vb, r.f.Float64)
	}
	// DATETIME keeps 1/300 s: 123.4567 ms rounds to 123.333 ms.
	if d := r.dt.Time.Sub(when); d < -2*time.Millisecond || d > 2*time.Millisecond {
		t.Errorf("datetime = %v, want about %v", r.dt.Time, when)
	}
	if !r.dt2.Time.Equal(when) {
		t.Errorf("datetime2 = %v, want %v", r.dt2.Time, when)
	}
	if r.g.UUID.String() != "6F9619FF-8B86-D011-B42D-00C04FC964FF" {
		t.Errorf("guid = %s", r.g.UUID)
	}
	if r.lsn.String != "1234567890123456789012345" || r.amount.String != "-12.50" {
		t.Errorf("numerics = %q, %q", r.lsn.String, r.amount.String)
	}
}

func TestBadValueBecomesError(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	var n int
	err := db.QueryRow("select bad").Scan(&n)
	var me mssql.Error
	if !errorsAs(err, &me) || me.Number != 50000 || !strings.Contains(me.Message, `column "n"`) {
		t.Fatalf("error = %v, want a 50000 naming the column", err)
	}
	if err := db.QueryRow("SELECT 1").Scan(&n); err != nil {
		t.Fatalf("connection unusable after the error: %v", err)
	}
}
