package tds

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

var errCancelled = errors.New("request cancelled by the client")

// responseWriter builds one request's response. Tokens accumulate in out;
// each statement's DONE is held back in pending until the next token shows
// whether MORE must be set (a DONE without MORE ends the client's read).
type responseWriter struct {
	s   *session
	rpc bool

	mu      sync.Mutex // guards every field below
	out     buf
	bounds  []int // end offsets of the tokens in out, to cut on attention
	pending *done
	stmtErr bool // an ERROR since the last statement end
	anyErr  bool
	cut     bool  // attention arrived while sending: output is dropped
	err     error // first write error
	outputs uint16
}

func newResponseWriter(s *session, rpc bool) *responseWriter {
	return &responseWriter{s: s, rpc: rpc}
}

// add appends one token after releasing any held DONE with MORE set.
func (w *responseWriter) add(f func(b *buf)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.addLocked(f)
}

func (w *responseWriter) addLocked(f func(b *buf)) {
	w.releasePending()
	f(&w.out)
	w.bounds = append(w.bounds, len(w.out))
}

func (w *responseWriter) releasePending() {
	if w.pending == nil {
		return
	}
	d := *w.pending
	w.pending = nil
	d.status |= doneMore
	w.out.done(d)
	w.bounds = append(w.bounds, len(w.out))
}

// Info sends an INFO token.
func (w *responseWriter) Info(m Message) {
	w.add(func(b *buf) { b.message(tokInfo, m, w.s.srv.name()) })
}

// Error sends an ERROR token and marks the statement failed.
func (w *responseWriter) Error(m Message) {
	if m.Class < 11 {
		m.Class = 16
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.addLocked(func(b *buf) { b.message(tokError, m, w.s.srv.name()) })
	w.stmtErr, w.anyErr = true, true
}

// Rows sends a result set and ends its statement. A value that does not
// fit its column becomes an error instead (the lab's bug, made visible).
func (w *responseWriter) Rows(rs ResultSet) {
	cols := planColumns(rs)
	var tokens buf
	ends := make([]int, 0, len(rs.Rows)+1)
	err := tokens.colMetadata(cols)
	ends = append(ends, len(tokens))
	for _, row := range rs.Rows {
		if err != nil {
			break
		}
		err = tokens.row(cols, row)
		ends = append(ends, len(tokens))
	}
	if err != nil {
		w.Error(Message{Number: 50000, State: 1, Class: 16, Text: "the lab cannot send this result: " + err.Error()})
		w.Done(-1)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.releasePending()
	base := len(w.out)
	w.out = append(w.out, tokens...)
	for _, e := range ends {
		w.bounds = append(w.bounds, base+e)
	}
	w.endStatement(cmdSelect, int64(len(rs.Rows)))
}

// Done ends a statement that returned no rows.
func (w *responseWriter) Done(rowCount int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.releasePending()
	w.endStatement(0, rowCount)
}

func (w *responseWriter) endStatement(cmd uint16, rows int64) {
	d := done{token: tokDone, cmd: cmd, status: w.s.txStatus()}
	if w.rpc {
		d.token = tokDoneInProc
	}
	if rows >= 0 {
		d.status |= doneCount
		d.rows = uint64(rows)
	}
	if w.stmtErr {
		d.status |= doneError
	}
	w.stmtErr = false
	w.pending = &d
}

// ReturnStatus sends a stored procedure's return status.
func (w *responseWriter) ReturnStatus(status int32) {
	w.add(func(b *buf) { b.returnStatus(status) })
}

// OutputParam sends the value of an OUTPUT parameter (RETURNVALUE).
func (w *responseWriter) OutputParam(name string, col Column, value any) error {
	var tok buf
	w.mu.Lock()
	defer w.mu.Unlock()
	c := colInfo{Column: col, plp: col.Type == TypeNVarChar || tooLong(col.Type, value)}
	if err := tok.returnValue(w.outputs, name, c, value); err != nil {
		return fmt.Errorf("send output parameter %s: %w", name, err)
	}
	w.outputs++
	w.addLocked(func(b *buf) { b.raw(tok) })
	return nil
}

// envChange appends an ENVCHANGE built by f (database, transaction).
func (w *responseWriter) envChange(f func(b *buf)) { w.add(f) }

// Flush sends the complete tokens written so far in non-final packets;
// a held DONE stays back until its MORE bit is known.
func (w *responseWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.send(false)
	if w.err != nil {
		return w.err
	}
	if w.cut {
		return errCancelled
	}
	return nil
}

// finish ends the response: the last DONE (DONEPROC for an RPC) goes out
// in the packet marked end-of-message, or DONE(ATTN) if the client sent
// ATTENTION while the request ran.
func (w *responseWriter) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	final := done{token: tokDone, status: w.s.txStatus()}
	switch {
	case w.rpc:
		w.releasePending()
		final.token, final.cmd = tokDoneProc, cmdExecute
		if w.anyErr {
			final.status |= doneError
		}
	case w.pending != nil:
		final, w.pending = *w.pending, nil
	case w.stmtErr:
		final.status |= doneError
	}
	w.out.done(final)
	w.bounds = append(w.bounds, len(w.out))
	w.send(true)
}

// send writes out as packets. Between packets it checks for ATTENTION;
// once seen, it stops at the next token boundary and drops the rest. The
// packet that ends the message is written only after the session has
// atomically decided whether this response acknowledges an attention.
func (w *responseWriter) send(final bool) {
	defer w.reset()
	data, max := w.out, w.s.pw.size-headerSize
	off := 0
	for !w.cut && w.err == nil {
		if w.s.attn.Load() {
			w.cutAt(off)
			break
		}
		n := min(max, len(data)-off)
		if final && off+n == len(data) {
			if w.s.endRequest() {
				w.cutAt(off)
				break
			}
			w.write(data[off:], true)
			return
		}
		if n == 0 {
			break
		}
		w.write(data[off:off+n], false)
		off += n
	}
	if final {
		var ack buf
		ack.done(done{token: tokDone, status: doneAttn})
		w.write(ack, true)
		w.s.attentionAcked()
	}
}

// cutAt sends the rest of the token that starts before off, so the client
// can parse the stream up to the attention acknowledgement.
func (w *responseWriter) cutAt(off int) {
	w.cut = true
	i := sort.SearchInts(w.bounds, off)
	if i < len(w.bounds) && w.bounds[i] > off {
		w.write(w.out[off:w.bounds[i]], false)
	}
}

func (w *responseWriter) write(data []byte, eom bool) {
	if w.err != nil {
		return
	}
	w.err = w.s.pw.writePackets(pktReply, data, eom)
}

func (w *responseWriter) reset() {
	w.out = w.out[:0]
	w.bounds = w.bounds[:0]
}
