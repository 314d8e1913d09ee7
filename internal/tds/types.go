package tds

import (
	"fmt"
	"math"
	"time"
	"unicode/utf16"
)

// Wire type ids (MS-TDS 2.2.5.4).
const (
	typeNull       = 0x1F
	typeGUID       = 0x24
	typeIntN       = 0x26
	typeDateN      = 0x28
	typeTimeN      = 0x29
	typeDateTime2N = 0x2A
	typeDTOffsetN  = 0x2B
	typeInt1       = 0x30
	typeBit        = 0x32
	typeInt2       = 0x34
	typeInt4       = 0x38
	typeDateTim4   = 0x3A
	typeFlt4       = 0x3B
	typeMoney      = 0x3C
	typeDateTime   = 0x3D
	typeFlt8       = 0x3E
	typeBitN       = 0x68
	typeDecimalN   = 0x6A
	typeNumericN   = 0x6C
	typeFltN       = 0x6D
	typeMoneyN     = 0x6E
	typeDateTimeN  = 0x6F
	typeMoney4     = 0x7A
	typeInt8       = 0x7F
	typeBigVarBin  = 0xA5
	typeBigVarChar = 0xA7
	typeBigBinary  = 0xAD
	typeBigChar    = 0xAF
	typeNVarChar   = 0xE7
	typeNChar      = 0xEF
)

const (
	plpNull    = math.MaxUint64
	maxNVarLen = 4000 // UTF-16 units before nvarchar(max)
	maxBinLen  = 8000 // bytes before varbinary(max)
)

// collation is Latin1_General_CI_AS (LCID 0x0409), sent in ENVCHANGE 7 and
// in every character column's TYPE_INFO.
var collation = []byte{0x09, 0x04, 0xD0, 0x00, 0x34}

var (
	epoch1900 = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	epoch0001 = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// colInfo is a column with its wire choices made for one result set.
type colInfo struct {
	Column
	plp bool // nvarchar(max)/varbinary(max): values sent as PLP
}

// planColumns decides which character and binary columns need (max).
func planColumns(rs ResultSet) []colInfo {
	cols := make([]colInfo, len(rs.Columns))
	for i, c := range rs.Columns {
		cols[i] = colInfo{Column: c}
		for _, row := range rs.Rows {
			if i < len(row) && tooLong(c.Type, row[i]) {
				cols[i].plp = true
				break
			}
		}
	}
	return cols
}

func tooLong(t ColType, v any) bool {
	switch x := v.(type) {
	case string:
		// UTF-8 is never shorter than UTF-16 in units: most strings
		// need no count.
		return t == TypeNVarChar && len(x) > maxNVarLen && ucs2Len(x) > maxNVarLen
	case []byte:
		return t == TypeVarBinary && len(x) > maxBinLen
	}
	return false
}

// writeTypeInfo appends a column's TYPE_INFO.
func writeTypeInfo(b *buf, c colInfo) error {
	switch c.Type {
	case TypeInt, TypeBigInt, TypeSmallInt, TypeTinyInt:
		b.raw([]byte{typeIntN, intSize(c.Type)})
	case TypeBit:
		b.raw([]byte{typeBitN, 1})
	case TypeFloat:
		b.raw([]byte{typeFltN, 8})
	case TypeDateTime:
		b.raw([]byte{typeDateTimeN, 8})
	case TypeDateTime2:
		b.raw([]byte{typeDateTime2N, 7})
	case TypeUniqueIdentifier:
		b.raw([]byte{typeGUID, 16})
	case TypeNumeric:
		p := precisionOf(c.Column)
		b.raw([]byte{typeNumericN, numericSize(p), p, c.Scale})
	case TypeNVarChar:
		b.u8(typeNVarChar)
		b.u16(maxLen(c.plp, 2*maxNVarLen))
		b.raw(collation)
	case TypeVarBinary:
		b.u8(typeBigVarBin)
		b.u16(maxLen(c.plp, maxBinLen))
	default:
		return fmt.Errorf("encode column %q: unknown column type %d", c.Name, c.Type)
	}
	return nil
}

func maxLen(plp bool, n uint16) uint16 {
	if plp {
		return 0xFFFF
	}
	return n
}

func intSize(t ColType) byte {
	switch t {
	case TypeBigInt:
		return 8
	case TypeSmallInt:
		return 2
	case TypeTinyInt:
		return 1
	}
	return 4
}

// writeValue appends one value of a column; nil is NULL.
func writeValue(b *buf, c colInfo, v any) error {
	if v == nil {
		writeNull(b, c)
		return nil
	}
	var err error
	switch c.Type {
	case TypeInt, TypeBigInt, TypeSmallInt, TypeTinyInt:
		err = writeInt(b, c.Type, v)
	case TypeBit:
		err = writeBit(b, v)
	case TypeFloat:
		err = writeFloat(b, v)
	case TypeDateTime, TypeDateTime2:
		err = writeTime(b, c.Type, v)
	case TypeUniqueIdentifier:
		err = writeGUID(b, v)
	case TypeNumeric:
		err = writeNumeric(b, c.Column, v)
	case TypeNVarChar, TypeVarBinary:
		err = writeVarLen(b, c, v)
	default:
		err = fmt.Errorf("unknown column type %d", c.Type)
	}
	if err != nil {
		return fmt.Errorf("encode column %q: %w", c.Name, err)
	}
	return nil
}

func writeNull(b *buf, c colInfo) {
	switch {
	case c.plp:
		b.u64(plpNull)
	case c.Type == TypeNVarChar || c.Type == TypeVarBinary:
		b.u16(0xFFFF)
	default:
		b.u8(0)
	}
}

func writeInt(b *buf, t ColType, v any) error {
	n, ok := toInt64(v)
	if !ok {
		return fmt.Errorf("want an integer, got %T", v)
	}
	size := intSize(t)
	if size < 8 {
		lo, hi := int64(-1)<<(8*size-1), int64(1)<<(8*size-1)-1
		if t == TypeTinyInt {
			lo, hi = 0, 255
		}
		if n < lo || n > hi {
			return fmt.Errorf("value %d out of range", n)
		}
	}
	b.u8(size)
	for i := range size {
		b.u8(byte(n >> (8 * i)))
	}
	return nil
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	}
	return 0, false
}

func writeBit(b *buf, v any) error {
	x, ok := v.(bool)
	if !ok {
		return fmt.Errorf("want a bool, got %T", v)
	}
	b.u8(1)
	if x {
		b.u8(1)
	} else {
		b.u8(0)
	}
	return nil
}

func writeFloat(b *buf, v any) error {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	default:
		return fmt.Errorf("want a float64, got %T", v)
	}
	b.u8(8)
	b.u64(math.Float64bits(f))
	return nil
}

// civilDays counts days from epoch (a Unix time at midnight UTC) to t's
// calendar date, read in t's own location. Unix seconds, not Time.Sub,
// which saturates at ~292 years.
func civilDays(t time.Time, epoch int64) int64 {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return (d.Unix() - epoch) / 86400
}

func secondsOfDay(t time.Time) int64 {
	return int64(t.Hour()*3600 + t.Minute()*60 + t.Second())
}

// writeTime sends t's wall clock (its own location): SQL Server's
// DATETIME and DATETIME2 have no time zone.
func writeTime(b *buf, ct ColType, v any) error {
	t, ok := v.(time.Time)
	if !ok {
		return fmt.Errorf("want a time.Time, got %T", v)
	}
	if ct == TypeDateTime2 {
		b.u8(8)
		writeTime2(b, t)
		return nil
	}
	days := civilDays(t, epoch1900)
	ticks := secondsOfDay(t)*300 + (int64(t.Nanosecond())*300+5e8)/1e9
	if ticks >= 300*86400 {
		days, ticks = days+1, ticks-300*86400
	}
	if days < -53690 || days > 2958463 { // 1753-01-01 … 9999-12-31
		return fmt.Errorf("date %s out of DATETIME range", t.Format(time.DateOnly))
	}
	b.u8(8)
	b.u32(uint32(int32(days)))
	b.u32(uint32(ticks))
	return nil
}

// writeTime2 appends a scale-7 DATETIME2 body: 5 bytes of 100 ns units,
// then 3 bytes of days since 0001-01-01.
func writeTime2(b *buf, t time.Time) {
	units := secondsOfDay(t)*1e7 + int64(t.Nanosecond())/100
	for i := range 5 {
		b.u8(byte(units >> (8 * i)))
	}
	days := civilDays(t, epoch0001)
	b.raw([]byte{byte(days), byte(days >> 8), byte(days >> 16)})
}

// writeVarLen sends NVARCHAR (string) or VARBINARY ([]byte) values,
// as PLP for (max) columns.
func writeVarLen(b *buf, c colInfo, v any) error {
	var data []byte
	switch x := v.(type) {
	case string:
		if c.Type != TypeNVarChar {
			return fmt.Errorf("want []byte, got string")
		}
		if !c.plp {
			at := len(*b)
			b.u16(0)
			b.ucs2(x)
			b.setU16(at)
			return nil
		}
		data = ucs2(x)
	case []byte:
		if c.Type != TypeVarBinary {
			return fmt.Errorf("want string, got []byte")
		}
		data = x
	default:
		return fmt.Errorf("want string or []byte, got %T", v)
	}
	if !c.plp {
		b.u16(uint16(len(data)))
		b.raw(data)
		return nil
	}
	b.u64(uint64(len(data)))
	if len(data) > 0 {
		b.u32(uint32(len(data)))
		b.raw(data)
	}
	b.u32(0)
	return nil
}

// ucs2Len counts UTF-16 units.
func ucs2Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
