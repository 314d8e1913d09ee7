// Package tds is a small TDS 7.4 server: enough of the protocol for
// go-mssqldb to log in (with or without TLS), send SQL batches, RPCs and
// transaction-manager requests, receive result sets, messages, errors and
// return statuses, and cancel with ATTENTION. What the statements mean is
// the Handler's business (the lab's SQL simulator, internal/lab).
package tds

import (
	"context"
	"time"
)

// Login is what a client sent in LOGIN7.
type Login struct {
	User     string
	Password string
	Database string
	AppName  string
	HostName string
	Server   string
	// Integrated is true when the client asked for SSPI (no SQL login).
	Integrated bool
}

// Session is one client connection after login. Its methods are safe to
// call from the handler while the session's request runs.
type Session interface {
	// SPID is the session id (@@SPID), unique among live sessions.
	SPID() int
	// Login is what the client sent.
	Login() Login
	// Database is the current database (changed by USE or by login).
	Database() string
	// SetDatabase changes the current database and tells the client
	// (ENVCHANGE).
	SetDatabase(name string)
	// InTransaction reports whether a transaction is open on the session,
	// begun through a transaction-manager request or BEGIN TRAN.
	InTransaction() bool
	// SetTransaction records a BEGIN TRAN (true) or COMMIT/ROLLBACK (false)
	// issued inside a batch, and tells the client (ENVCHANGE).
	SetTransaction(open bool)
	// Kill closes the session's connection from the server side, as KILL
	// does: a request in progress is aborted and the client sees the
	// connection drop.
	Kill()
	// Value and SetValue keep handler state per session.
	Value(key string) any
	SetValue(key string, v any)
}

// ColType is a column or parameter type.
type ColType int

// The supported types. Row values are Go values:
// TypeInt/TypeBigInt/TypeSmallInt/TypeTinyInt: int64; TypeBit: bool;
// TypeNVarChar: string; TypeVarBinary: []byte; TypeFloat: float64;
// TypeDateTime/TypeDateTime2: time.Time; TypeUniqueIdentifier: [16]byte
// in SQL Server's byte order (or a string "xxxxxxxx-xxxx-…" that the
// server converts); TypeNumeric: string of decimal digits (possibly
// negative, with Scale digits after a '.'), precision up to 38.
// nil is NULL for every type.
const (
	TypeInt ColType = iota
	TypeBigInt
	TypeSmallInt
	TypeTinyInt
	TypeBit
	TypeNVarChar
	TypeVarBinary
	TypeFloat
	TypeDateTime
	TypeDateTime2
	TypeUniqueIdentifier
	TypeNumeric
)

// Column describes a result-set column.
type Column struct {
	Name string
	Type ColType
	// Precision and Scale for TypeNumeric (e.g. 25, 0 for LSNs).
	Precision, Scale uint8
}

// ResultSet is one result set.
type ResultSet struct {
	Columns []Column
	Rows    [][]any
}

// Message is an INFO or ERROR token's content. Class (severity) 0–10 is
// informational; 11 and above is an error.
type Message struct {
	Number int32
	State  uint8
	Class  uint8
	Text   string
	// Proc and Line are optional.
	Proc string
	Line int32
}

// Param is one RPC parameter as received, with its value decoded to the
// Go types listed for ColType (NVARCHAR string, INT/BIGINT int64, BIT
// bool, DATETIME/DATETIME2 time.Time, UNIQUEIDENTIFIER [16]byte,
// NUMERIC string).
type Param struct {
	Name   string // "@db", or "" for a positional parameter
	Type   ColType
	Value  any
	Output bool
}

// ResponseWriter builds the response to one request. Each call appends
// tokens; the server sends them when the request ends, or earlier on
// Flush.
type ResponseWriter interface {
	// Info sends an INFO token (PRINT, RESTORE progress, …).
	Info(m Message)
	// Error sends an ERROR token. Several may precede one statement's end
	// (a restore failure sends its cause, then 3013).
	Error(m Message)
	// Rows sends a result set and ends its statement with a row count.
	Rows(rs ResultSet)
	// Done ends one statement that returned no rows; rowCount < 0 means no
	// count. A statement that sent Error tokens is marked failed.
	Done(rowCount int64)
	// ReturnStatus sends a stored procedure's return status.
	ReturnStatus(status int32)
	// Flush sends what has been written so far (INFO messages while a long
	// restore runs).
	Flush() error
}

// Handler gives the statements meaning. Its methods are called from one
// goroutine per session; they must be safe for concurrent sessions.
type Handler interface {
	// Authenticate checks a login; a non-nil *Message is sent as the login
	// error (18456 for a bad password, 4060 for a missing database). Any
	// error but 18456 is followed by 18456 "Login failed for user …", as
	// SQL Server sends them.
	Authenticate(l Login) *Message
	// Open is called once a session has logged in.
	Open(s Session)
	// Batch runs a SQL batch. ctx is cancelled when the client sends
	// ATTENTION or disconnects; the server then answers the attention.
	Batch(ctx context.Context, s Session, sql string, w ResponseWriter)
	// RPC runs a remote procedure call: sp_executesql (proc
	// "sp_executesql", the first param the statement, the second the
	// parameter declarations) or a stored procedure by name.
	RPC(ctx context.Context, s Session, proc string, params []Param, w ResponseWriter)
	// Close is called once the session has ended, for any reason.
	Close(s Session)
}

// Config configures a Server.
type Config struct {
	// Addr to listen on; "127.0.0.1:0" picks a free port.
	Addr string
	// CertFile and KeyFile are the server's TLS certificate and key (PEM).
	// Empty: the server refuses encryption requests it cannot serve.
	CertFile, KeyFile string
	// ServerName is reported in messages and @@SERVERNAME.
	ServerName string
	// Version is the product version reported in LOGINACK.
	Version [4]byte
	// ReadTimeout bounds one idle wait for a client packet (0: none).
	ReadTimeout time.Duration
	// MaxRequestSize bounds one client request (a batch, an RPC) in bytes
	// (0: 4 MiB). A longer one is read to its end without being kept and
	// answered with error 50000; the session goes on.
	MaxRequestSize int
	// RequestTimeout bounds the wait for each further packet of a request
	// whose first packet arrived (0: 30 s). A client that stops sending in
	// the middle of a request is disconnected, and what it sent is freed.
	RequestTimeout time.Duration
}
