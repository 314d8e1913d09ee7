package tds

import (
	"errors"
	"fmt"
	"strings"
)

// Well-known procedure ids (NameLenProcID 0xFFFF).
var procNames = map[uint16]string{
	1: "sp_cursor", 2: "sp_cursoropen", 3: "sp_cursorprepare", 4: "sp_cursorexecute",
	5: "sp_cursorprepexec", 6: "sp_cursorunprepare", 7: "sp_cursorfetch", 8: "sp_cursoroption",
	9: "sp_cursorclose", 10: "sp_executesql", 11: "sp_prepare", 12: "sp_execute",
	13: "sp_prepexec", 14: "sp_prepexecrpc", 15: "sp_unprepare",
}

// Parameter status bits.
const paramByRef = 0x01

// rpcRequest is a decoded RPC message.
type rpcRequest struct {
	proc   string
	params []Param
}

// skipAllHeaders skips ALL_HEADERS by its own total length (it carries
// the transaction descriptor, which the server does not need: it tracks
// the transaction per session).
func skipAllHeaders(r *reader) {
	start := r.pos
	total := int(r.u32())
	if r.err == nil && total < 4 {
		r.fail(fmt.Errorf("ALL_HEADERS length %d", total))
	}
	r.bytes(total - (r.pos - start))
}

// parseBatch returns a SQL batch's text.
func parseBatch(data []byte) (string, error) {
	r := &reader{b: data}
	skipAllHeaders(r)
	text := r.rest()
	if r.err != nil {
		return "", fmt.Errorf("parse SQL batch: %w", r.err)
	}
	return ucs2String(text), nil
}

// parseRPC decodes one RPC: procedure (name or well-known id) and
// parameters with their values.
func parseRPC(data []byte) (rpcRequest, error) {
	r := &reader{b: data}
	skipAllHeaders(r)
	var req rpcRequest
	if n := r.u16(); n == 0xFFFF {
		id := r.u16()
		req.proc = procNames[id]
		if req.proc == "" && r.err == nil {
			r.fail(fmt.Errorf("unknown procedure id %d", id))
		}
	} else {
		req.proc = ucs2String(r.bytes(2 * int(n)))
		if isExecuteSQL(req.proc) {
			req.proc = "sp_executesql"
		}
	}
	r.u16() // option flags
	for r.err == nil && r.pos < len(r.b) {
		if b := r.b[r.pos]; b == 0x80 || b == 0xFF || b == 0xFE {
			r.fail(errors.New("batched RPCs are not supported"))
			break
		}
		req.params = append(req.params, readParam(r))
	}
	if r.err != nil {
		return req, fmt.Errorf("parse RPC %q: %w", req.proc, r.err)
	}
	return req, nil
}

func readParam(r *reader) Param {
	p := Param{Name: r.bVarchar()}
	p.Output = r.u8()&paramByRef != 0
	ti := readTypeInfo(r)
	if r.err != nil {
		return p
	}
	p.Type, p.Value = readParamValue(r, ti)
	return p
}

// Transaction-manager request types.
const (
	tmBegin    = 5
	tmCommit   = 7
	tmRollback = 8
	tmSave     = 9
)

// transRequest is a decoded transaction-manager request.
type transRequest struct {
	kind uint16
	name string
	// chain is set when COMMIT/ROLLBACK asks to begin a new transaction.
	chain bool
}

func parseTransMgr(data []byte) (transRequest, error) {
	r := &reader{b: data}
	skipAllHeaders(r)
	req := transRequest{kind: r.u16()}
	switch req.kind {
	case tmBegin:
		r.u8() // isolation level
		req.name = r.bVarchar()
	case tmCommit, tmRollback:
		req.name = r.bVarchar()
		req.chain = r.u8()&0x01 != 0
	case tmSave:
		req.name = r.bVarchar()
	default:
		if r.err == nil {
			r.fail(fmt.Errorf("unsupported request type %d", req.kind))
		}
	}
	if r.err != nil {
		return req, fmt.Errorf("parse transaction request: %w", r.err)
	}
	return req, nil
}

// isExecuteSQL reports whether proc is sp_executesql, however spelled.
func isExecuteSQL(proc string) bool {
	p := strings.ToLower(proc)
	p = strings.TrimPrefix(p, "sys.")
	return p == "sp_executesql"
}
