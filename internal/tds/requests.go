package tds

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// serve runs requests until the connection ends.
func (s *session) serve() {
	ch := make(chan item, 1)
	s.srv.wg.Add(1)
	go func() {
		defer s.srv.wg.Done()
		s.readLoop(ch)
	}()
	for {
		var it item
		select {
		case it = <-ch:
		case <-s.ctx.Done():
			return
		}
		if it.err != nil {
			return
		}
		if it.msg.typ == pktAttention {
			if !it.acked {
				s.ackAttention()
			}
			continue
		}
		s.handle(it.msg)
		s.refreshDeadline()
	}
}

// ackAttention answers an ATTENTION that arrived after its response was
// complete: a message of its own with DONE(ATTN).
func (s *session) ackAttention() {
	var b buf
	b.done(done{token: tokDone, status: doneAttn})
	s.pw.writePackets(pktReply, b, true)
}

// handle runs one request and sends its response.
func (s *session) handle(m message) {
	w := newResponseWriter(s, m.typ == pktRPC)
	ctx := s.startRequest(w)
	if m.status&(statusReset|statusResetSkip) != 0 {
		s.resetConnection(w, m.status&statusResetSkip == 0)
	}
	defer w.finish()
	defer func() {
		if r := recover(); r != nil {
			w.Error(Message{Number: 50000, State: 1, Class: 16,
				Text: fmt.Sprintf("internal error in the lab: %v (at %s)", r, panicSite())})
		}
	}()
	switch {
	case m.tooLarge:
		w.Error(tooLarge(m.size, s.srv.maxRequestSize()))
	case m.typ == pktBatch:
		s.batch(ctx, m.data, w)
	case m.typ == pktRPC:
		s.rpc(ctx, m.data, w)
	case m.typ == pktTransMgr:
		s.transMgr(m.data, w)
	default:
		w.Error(Message{Number: 50000, State: 1, Class: 16,
			Text: fmt.Sprintf("the lab does not support TDS messages of type %#x", m.typ)})
	}
}

// resetConnection answers RESETCONNECTION (a pooled connection reused),
// as sp_reset_connection does: the database returns to the login's and an
// open transaction ends unless the client asked to keep it; ENVCHANGE 18
// acknowledges.
func (s *session) resetConnection(w *responseWriter, endTran bool) {
	s.mu.Lock()
	s.db = s.loginDB()
	if endTran {
		s.inTx = false
	}
	s.mu.Unlock()
	w.envChange(func(b *buf) { b.envChangeBytes(envResetAck, nil, nil) })
}

func (s *session) loginDB() string {
	if s.login.Database != "" {
		return s.login.Database
	}
	return "master"
}

func (s *session) batch(ctx context.Context, data []byte, w *responseWriter) {
	text, err := parseBatch(data)
	if err != nil {
		w.Error(decodeError(err))
		return
	}
	s.srv.h.Batch(ctx, s, text, w)
}

func (s *session) rpc(ctx context.Context, data []byte, w *responseWriter) {
	req, err := parseRPC(data)
	if err != nil {
		w.Error(decodeError(err))
		return
	}
	s.srv.h.RPC(ctx, s, req.proc, req.params, w)
}

// panicSite names the function and line that panicked: the first frame
// below the runtime's panic machinery.
func panicSite() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return fmt.Sprintf("%s %s:%d", f.Function, filepath.Base(f.File), f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}

func decodeError(err error) Message {
	return Message{Number: 50000, State: 1, Class: 16, Text: "the lab cannot decode this request: " + err.Error()}
}

// transMgr answers BEGIN/COMMIT/ROLLBACK from database/sql's BeginTx.
func (s *session) transMgr(data []byte, w *responseWriter) {
	req, err := parseTransMgr(data)
	if err != nil {
		w.Error(decodeError(err))
		return
	}
	switch req.kind {
	case tmBegin:
		s.beginTran()
	case tmCommit, tmRollback:
		if !s.InTransaction() {
			w.Error(noTransaction(req.kind))
			return
		}
		typ := byte(envCommitTran)
		if req.kind == tmRollback {
			typ = envRollback
		}
		s.endTran(typ)
		if req.chain {
			s.beginTran()
		}
	case tmSave:
		if !s.InTransaction() {
			w.Error(Message{Number: 628, State: 0, Class: 16,
				Text: "Cannot issue SAVE TRANSACTION when there is no active transaction."})
		}
	}
}

func noTransaction(kind uint16) Message {
	if kind == tmCommit {
		return Message{Number: 3902, State: 1, Class: 16,
			Text: "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION."}
	}
	return Message{Number: 3903, State: 1, Class: 16,
		Text: "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION."}
}
