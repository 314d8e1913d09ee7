package tds

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

func TestExecuteSQLParams(t *testing.T) {
	h := newTestHandler()
	_, dsn := startServer(t, h, Config{})
	db := openDB(t, dsn)
	when := time.Date(2026, 11, 26, 4, 5, 6, 700, time.UTC)
	guid := mssql.UniqueIdentifier{0x6F, 0x96, 0x19, 0xFF, 0x8B, 0x86, 0xD0, 0x11, 0xB4, 0x2D, 0, 0xC0, 0x4F, 0xC9, 0x64, 0xFF}
	long := strings.Repeat("ab", 2100)
	tests := []struct {
		name string
		arg  any
		want Param
	}{
		{"nvarchar", "héllo 𝄞", Param{Type: TypeNVarChar, Value: "héllo 𝄞"}},
		{"empty nvarchar (PLP)", "", Param{Type: TypeNVarChar, Value: ""}},
		{"long nvarchar (multi-packet)", long, Param{Type: TypeNVarChar, Value: long}},
		{"int", int32(-7), Param{Type: TypeInt, Value: int64(-7)}},
		{"bigint", int64(1) << 60, Param{Type: TypeBigInt, Value: int64(1) << 60}},
		{"smallint", int16(-300), Param{Type: TypeSmallInt, Value: int64(-300)}},
		{"tinyint", uint8(200), Param{Type: TypeTinyInt, Value: int64(200)}},
		{"bit", true, Param{Type: TypeBit, Value: true}},
		{"float", 2.5, Param{Type: TypeFloat, Value: 2.5}},
		{"varbinary", []byte{1, 2, 3}, Param{Type: TypeVarBinary, Value: []byte{1, 2, 3}}},
		{"datetimeoffset", when, Param{Type: TypeDateTime2, Value: when}},
		{"datetime", mssql.DateTime1(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
			Param{Type: TypeDateTime, Value: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"uniqueidentifier", guid, Param{Type: TypeUniqueIdentifier, Value: [16]byte{0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0, 0xB4, 0x2D, 0, 0xC0, 0x4F, 0xC9, 0x64, 0xFF}}},
		{"null", nil, Param{Type: TypeNVarChar, Value: nil}},
		{"null int", sql.NullInt32{}, Param{Type: TypeInt, Value: nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "select 1 where @v = @v -- " + tt.name
			db.Exec(text, sql.Named("v", tt.arg))
			got := h.lastParams(text)
			want := tt.want
			want.Name = "@v"
			if len(got) != 1 || !paramEqual(got[0], want) {
				t.Fatalf("params = %#v, want [%#v]", got, want)
			}
		})
	}
}

func paramEqual(a, b Param) bool {
	at, aok := a.Value.(time.Time)
	bt, bok := b.Value.(time.Time)
	if aok && bok {
		return a.Name == b.Name && a.Type == b.Type && at.Equal(bt)
	}
	return reflect.DeepEqual(a, b)
}

func TestPositionalParams(t *testing.T) {
	h := newTestHandler()
	_, dsn := startServer(t, h, Config{})
	db := openDB(t, dsn)
	text := "select 1 where @p1 = @p2"
	db.Exec(text, 42, "x")
	got := h.lastParams(text)
	want := []Param{{Name: "@p1", Type: TypeBigInt, Value: int64(42)}, {Name: "@p2", Type: TypeNVarChar, Value: "x"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("params = %#v, want %#v", got, want)
	}
}

func TestStoredProcedure(t *testing.T) {
	h := newTestHandler()
	_, dsn := startServer(t, h, Config{})
	db := openDB(t, dsn)
	var status mssql.ReturnStatus
	var lsn string
	rows, err := db.Query("dbo.usp_status", sql.Named("db", "mgc"), sql.Named("lsn", sql.Out{Dest: &lsn}), &status)
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if n != 1 || status != 7 || lsn != "12345678901234567890123" {
		t.Fatalf("rows %d, status %d, lsn %q; want 1, 7, the LSN", n, status, lsn)
	}
	got := h.lastParams("dbo.usp_status")
	if len(got) != 2 || got[0].Name != "@db" || got[0].Value != "mgc" || !got[1].Output || got[0].Output {
		t.Fatalf("params = %#v", got)
	}
}

func TestUnknownProcedureError(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	_, err := db.Exec("dbo.usp_missing")
	var me mssql.Error
	if !errorsAs(err, &me) || me.Number != 2812 {
		t.Fatalf("error = %v, want 2812", err)
	}
}
