package tds

import (
	"encoding/binary"
	"strconv"
)

// Token ids (MS-TDS 2.2.7).
const (
	tokReturnStatus = 0x79
	tokColMetadata  = 0x81
	tokError        = 0xAA
	tokInfo         = 0xAB
	tokReturnValue  = 0xAC
	tokLoginAck     = 0xAD
	tokRow          = 0xD1
	tokEnvChange    = 0xE3
	tokDone         = 0xFD
	tokDoneProc     = 0xFE
	tokDoneInProc   = 0xFF
)

// DONE status bits.
const (
	doneMore  = 0x0001
	doneError = 0x0002
	doneInTx  = 0x0004
	doneCount = 0x0010
	doneAttn  = 0x0020
)

// CurCmd values in DONE tokens.
const (
	cmdSelect  = 0x00C1
	cmdExecute = 0x00E0
)

// ENVCHANGE types; only ones go-mssqldb knows may be sent (an unknown
// type desynchronizes its token stream).
const (
	envDatabase   = 1
	envLanguage   = 2
	envPacketSize = 4
	envCollation  = 7
	envBeginTran  = 8
	envCommitTran = 9
	envRollback   = 10
	envResetAck   = 18
)

type done struct {
	token  byte
	status uint16
	cmd    uint16
	rows   uint64
}

func (b *buf) done(d done) {
	b.u8(d.token)
	b.u16(d.status)
	b.u16(d.cmd)
	b.u64(d.rows)
}

// envChangeString appends an ENVCHANGE with B_VARCHAR values.
func (b *buf) envChangeString(typ byte, newV, oldV string) {
	b.u8(tokEnvChange)
	at := len(*b)
	b.u16(0)
	b.u8(typ)
	b.bVarchar(newV)
	b.bVarchar(oldV)
	b.setU16(at)
}

// envChangeBytes appends an ENVCHANGE with B_VARBYTE values.
func (b *buf) envChangeBytes(typ byte, newV, oldV []byte) {
	b.u8(tokEnvChange)
	b.u16(uint16(3 + len(newV) + len(oldV)))
	b.u8(typ)
	b.u8(byte(len(newV)))
	b.raw(newV)
	b.u8(byte(len(oldV)))
	b.raw(oldV)
}

func tranID(id uint64) []byte { return binary.LittleEndian.AppendUint64(nil, id) }

// message appends an ERROR or INFO token.
func (b *buf) message(tok byte, m Message, server string) {
	b.u8(tok)
	at := len(*b)
	b.u16(0)
	b.u32(uint32(m.Number))
	b.u8(m.State)
	b.u8(m.Class)
	b.usVarchar(m.Text)
	b.bVarchar(server)
	b.bVarchar(m.Proc)
	b.u32(uint32(m.Line))
	b.setU16(at)
}

// loginAck appends LOGINACK; TDS and program versions are big-endian.
func (b *buf) loginAck(version [4]byte) {
	b.u8(tokLoginAck)
	at := len(*b)
	b.u16(0)
	b.u8(1) // T-SQL
	b.raw([]byte{0x74, 0x00, 0x00, 0x04})
	b.bVarchar("Microsoft SQL Server\x00\x00")
	b.raw(version[:])
	b.setU16(at)
}

func (b *buf) returnStatus(v int32) {
	b.u8(tokReturnStatus)
	b.u32(uint32(v))
}

// colMetadata appends COLMETADATA; every column is nullable.
func (b *buf) colMetadata(cols []colInfo) error {
	b.u8(tokColMetadata)
	b.u16(uint16(len(cols)))
	for _, c := range cols {
		b.u32(0)      // user type
		b.u16(0x0001) // nullable
		if err := writeTypeInfo(b, c); err != nil {
			return err
		}
		b.bVarchar(c.Name)
	}
	return nil
}

func (b *buf) row(cols []colInfo, row []any) error {
	b.u8(tokRow)
	for i, c := range cols {
		var v any
		if i < len(row) {
			v = row[i]
		}
		if err := writeValue(b, c, v); err != nil {
			return err
		}
	}
	return nil
}

// returnValue appends RETURNVALUE for an OUTPUT parameter; go-mssqldb
// matches it by name.
func (b *buf) returnValue(ordinal uint16, name string, c colInfo, v any) error {
	b.u8(tokReturnValue)
	b.u16(ordinal)
	b.bVarchar(name)
	b.u8(paramByRef)
	b.u32(0)
	b.u16(0x0001)
	if err := writeTypeInfo(b, c); err != nil {
		return err
	}
	return writeValue(b, c, v)
}

func itoa(n int) string { return strconv.Itoa(n) }
