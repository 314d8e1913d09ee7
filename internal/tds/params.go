package tds

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
)

// typeInfo is a parameter's TYPE_INFO as received.
type typeInfo struct {
	id        byte
	size      int // max length (0xFFFF for PLP) or fixed size
	precision uint8
	scale     uint8
}

// readTypeInfo reads TYPE_INFO for the parameter types clients send.
func readTypeInfo(r *reader) typeInfo {
	ti := typeInfo{id: r.u8()}
	switch ti.id {
	case typeNull:
	case typeInt1, typeBit:
		ti.size = 1
	case typeInt2:
		ti.size = 2
	case typeInt4, typeDateTim4, typeFlt4, typeMoney4:
		ti.size = 4
	case typeInt8, typeFlt8, typeMoney, typeDateTime:
		ti.size = 8
	case typeGUID, typeIntN, typeBitN, typeFltN, typeMoneyN, typeDateTimeN:
		ti.size = int(r.u8())
	case typeDecimalN, typeNumericN:
		ti.size, ti.precision, ti.scale = int(r.u8()), r.u8(), r.u8()
	case typeDateN:
		ti.size = 3
	case typeTimeN, typeDateTime2N, typeDTOffsetN:
		ti.scale = r.u8()
		if ti.scale > 7 {
			r.fail(fmt.Errorf("time scale %d", ti.scale))
		}
	case typeBigVarBin, typeBigBinary:
		ti.size = int(r.u16())
	case typeBigVarChar, typeBigChar, typeNVarChar, typeNChar:
		ti.size = int(r.u16())
		r.bytes(5) // collation
	default:
		r.fail(fmt.Errorf("unsupported parameter type %#x", ti.id))
	}
	return ti
}

// readParamValue reads one value framed per its TYPE_INFO and decodes it.
func readParamValue(r *reader, ti typeInfo) (ColType, any) {
	switch ti.id {
	case typeNull:
		return TypeNVarChar, nil
	case typeBigVarBin, typeBigBinary, typeBigVarChar, typeBigChar, typeNVarChar, typeNChar:
		data, null := readVarData(r, ti.size == 0xFFFF)
		return decodeVarData(ti.id, data, null)
	}
	n := ti.size
	if !isFixed(ti.id) {
		n = int(r.u8())
	}
	if n == 0 {
		return nullType(ti), nil
	}
	data := r.bytes(n)
	if r.err != nil {
		return 0, nil
	}
	t, v, err := decodeFixed(ti, data)
	r.fail(err)
	return t, v
}

func isFixed(id byte) bool {
	switch id {
	case typeInt1, typeBit, typeInt2, typeInt4, typeDateTim4, typeFlt4, typeMoney4,
		typeInt8, typeFlt8, typeMoney, typeDateTime:
		return true
	}
	return false
}

// nullType is the ColType a NULL of wire type ti reports.
func nullType(ti typeInfo) ColType {
	t, _, err := decodeFixed(ti, nil)
	if err != nil {
		return TypeNVarChar
	}
	return t
}

// readVarData reads a USHORTLEN value or a PLP value (chunks to a zero
// terminator).
func readVarData(r *reader, plp bool) ([]byte, bool) {
	if !plp {
		n := r.u16()
		if n == 0xFFFF {
			return nil, true
		}
		return r.bytes(int(n)), false
	}
	total := r.u64()
	if total == plpNull {
		return nil, true
	}
	var data []byte
	for r.err == nil {
		n := r.u32()
		if n == 0 {
			break
		}
		data = append(data, r.bytes(int(n))...)
	}
	return data, false
}

func decodeVarData(id byte, data []byte, null bool) (ColType, any) {
	t := TypeNVarChar
	if id == typeBigVarBin || id == typeBigBinary {
		t = TypeVarBinary
	}
	switch {
	case null:
		return t, nil
	case t == TypeVarBinary:
		return t, append([]byte{}, data...)
	case id == typeNVarChar || id == typeNChar:
		return t, ucs2String(data)
	}
	return t, string(data)
}

// decodeFixed decodes a non-NULL value body (data nil: only the type).
func decodeFixed(ti typeInfo, data []byte) (ColType, any, error) {
	switch ti.id {
	case typeInt1, typeInt2, typeInt4, typeInt8, typeIntN:
		return decodeInt(ti, data)
	case typeBit, typeBitN:
		return TypeBit, len(data) > 0 && data[0] != 0, nil
	case typeFlt4, typeFlt8, typeFltN:
		return decodeFloat(data)
	case typeGUID:
		var g [16]byte
		if data != nil && len(data) != 16 {
			return 0, nil, fmt.Errorf("uniqueidentifier of %d bytes", len(data))
		}
		copy(g[:], data)
		return TypeUniqueIdentifier, g, nil
	case typeDecimalN, typeNumericN:
		return decodeNumeric(ti, data)
	case typeMoney, typeMoney4, typeMoneyN:
		return decodeMoney(data)
	case typeDateTime, typeDateTim4, typeDateTimeN:
		return decodeDateTime(data)
	case typeDateN, typeTimeN, typeDateTime2N, typeDTOffsetN:
		return decodeDateTime2(ti, data)
	}
	return 0, nil, fmt.Errorf("unsupported parameter type %#x", ti.id)
}

func decodeInt(ti typeInfo, data []byte) (ColType, any, error) {
	size := ti.size
	types := map[int]ColType{1: TypeTinyInt, 2: TypeSmallInt, 4: TypeInt, 8: TypeBigInt}
	t, ok := types[size]
	if !ok || data != nil && len(data) != size {
		return 0, nil, fmt.Errorf("integer of %d bytes", len(data))
	}
	if data == nil {
		return t, nil, nil
	}
	var u uint64
	for i := len(data) - 1; i >= 0; i-- {
		u = u<<8 | uint64(data[i])
	}
	if size == 1 { // tinyint is unsigned
		return t, int64(u), nil
	}
	shift := 64 - 8*size
	return t, int64(u<<shift) >> shift, nil
}

func decodeFloat(data []byte) (ColType, any, error) {
	switch len(data) {
	case 0:
		return TypeFloat, nil, nil
	case 4:
		return TypeFloat, float64(math.Float32frombits(binary.LittleEndian.Uint32(data))), nil
	case 8:
		return TypeFloat, math.Float64frombits(binary.LittleEndian.Uint64(data)), nil
	}
	return 0, nil, fmt.Errorf("float of %d bytes", len(data))
}

// decodeNumeric turns sign + little-endian magnitude into a decimal string.
func decodeNumeric(ti typeInfo, data []byte) (ColType, any, error) {
	if data == nil {
		return TypeNumeric, nil, nil
	}
	if len(data) < 2 {
		return 0, nil, fmt.Errorf("numeric of %d bytes", len(data))
	}
	be := make([]byte, len(data)-1)
	for i, x := range data[1:] {
		be[len(be)-1-i] = x
	}
	mag := new(big.Int).SetBytes(be)
	return TypeNumeric, formatScaled(data[0] == 0 && mag.Sign() != 0, mag.String(), int(ti.scale)), nil
}

// formatScaled places a decimal point scale digits from the right.
func formatScaled(neg bool, digits string, scale int) string {
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// decodeMoney: MONEY is an int64 of 1/10000 units sent high half first.
func decodeMoney(data []byte) (ColType, any, error) {
	var v int64
	switch len(data) {
	case 0:
		return TypeNumeric, nil, nil
	case 4:
		v = int64(int32(binary.LittleEndian.Uint32(data)))
	case 8:
		v = int64(binary.LittleEndian.Uint32(data))<<32 | int64(binary.LittleEndian.Uint32(data[4:]))
	default:
		return 0, nil, fmt.Errorf("money of %d bytes", len(data))
	}
	mag := new(big.Int).Abs(big.NewInt(v))
	return TypeNumeric, formatScaled(v < 0, mag.String(), 4), nil
}

func decodeDateTime(data []byte) (ColType, any, error) {
	switch len(data) {
	case 0:
		return TypeDateTime, nil, nil
	case 4: // smalldatetime: u16 days, u16 minutes
		days := int64(binary.LittleEndian.Uint16(data))
		mins := int64(binary.LittleEndian.Uint16(data[2:]))
		return TypeDateTime, time.Unix(epoch1900+days*86400+mins*60, 0).UTC(), nil
	case 8:
		days := int64(int32(binary.LittleEndian.Uint32(data)))
		ticks := int64(binary.LittleEndian.Uint32(data[4:]))
		ns := (ticks*1e9 + 150) / 300
		return TypeDateTime, time.Unix(epoch1900+days*86400, ns).UTC(), nil
	}
	return 0, nil, fmt.Errorf("datetime of %d bytes", len(data))
}

// decodeDateTime2 decodes DATE, TIME, DATETIME2 and DATETIMEOFFSET: time
// in 10^-scale s units (3–5 bytes), date as days since 0001-01-01
// (3 bytes), offset in minutes (2 bytes); time and date are UTC.
func decodeDateTime2(ti typeInfo, data []byte) (ColType, any, error) {
	if data == nil {
		return TypeDateTime2, nil, nil
	}
	tlen := timeLen(ti.scale)
	want := map[byte]int{typeDateN: 3, typeTimeN: tlen, typeDateTime2N: tlen + 3, typeDTOffsetN: tlen + 5}[ti.id]
	if len(data) != want {
		return 0, nil, fmt.Errorf("date/time type %#x of %d bytes", ti.id, len(data))
	}
	var units, days uint64
	if ti.id != typeDateN {
		units = leUint(data[:tlen])
		data = data[tlen:]
	}
	if ti.id != typeTimeN {
		days = leUint(data[:3])
		data = data[3:]
	}
	ns := int64(units) * int64(math.Pow10(9-int(ti.scale)))
	t := time.Unix(epoch0001+int64(days)*86400, ns).UTC()
	if ti.id == typeDTOffsetN {
		off := int(int16(binary.LittleEndian.Uint16(data)))
		t = t.In(time.FixedZone("", off*60))
	}
	return TypeDateTime2, t, nil
}

func timeLen(scale uint8) int {
	switch {
	case scale <= 2:
		return 3
	case scale <= 4:
		return 4
	}
	return 5
}

func leUint(b []byte) uint64 {
	var u uint64
	for i := len(b) - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return u
}
