package sqlserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/actions"
)

// Numbers returns every SQL Server error number err carries, first to
// last: a failed RESTORE gives its cause (4305, 3201, …) before 3013. Nil
// when err holds no mssql.Error.
func Numbers(err error) []int32 {
	var me mssql.Error
	if !errors.As(err, &me) {
		return nil
	}
	if len(me.All) == 0 {
		return []int32{me.Number}
	}
	out := make([]int32, len(me.All))
	for i, e := range me.All {
		out[i] = e.Number
	}
	return out
}

// Has reports whether err carries any of the SQL Server error numbers n,
// anywhere in its list (never only the last, which is 3013 for every
// failed RESTORE).
func Has(err error, n ...int32) bool {
	for _, got := range Numbers(err) {
		if slices.Contains(n, got) {
			return true
		}
	}
	return false
}

// Message returns the text of the first SQL Server error numbered n in
// err, or "".
func Message(err error, n int32) string {
	var me mssql.Error
	if !errors.As(err, &me) {
		return ""
	}
	for _, e := range me.All {
		if e.Number == n {
			return e.Message
		}
	}
	if me.Number == n {
		return me.Message
	}
	return ""
}

// Retryable are the SQL Server errors another attempt may not meet: a
// deadlock victim, a lock timeout, a database not yet open for a login,
// a server busy or failing over, a connection broken. After
// Microsoft.Data.SqlClient's transient list (docs/sqlserver.md).
var Retryable = []int32{
	1204, // the instance cannot obtain a LOCK resource
	1205, // deadlock victim
	1222, // lock request time out
	3101, // exclusive access could not be obtained: the database is in use
	5061, // ALTER DATABASE could not place a lock: others use the database
	924,  // the database is SINGLE_USER and another session has it
	4060, // cannot open the database requested by the login (being recovered)
	4221, // login to a read-secondary failed while it changes roles
	4319, // a previous restore was interrupted: the same file again (WITH RESTART)
	233,  // no process on the other end of the pipe (connection closed)
	64,   // the specified network name is no longer available
	// connection aborted, reset, timed out; resource limits
	10053, 10054, 10060, 10928, 10929,
	// Azure SQL's transient errors
	40143, 40197, 40501, 40540, 40613, 42108, 42109, 49918, 49919, 49920,
	997, // overlapped I/O in progress
	-2,  // timeout (SqlClient's number)
}

// Permanent are the SQL Server errors no retry can fix: syntax and
// unknown names, permissions, and a broken or wrong restore chain.
var Permanent = []int32{
	102, 105, 156, 170, 207, 208, 2812, 137, 8144, 8145, 8178, // syntax, unknown object or column, procedure arguments
	229, 230, 262, 297, 300, 916, 3110, 5011, 6102, 15247, 15151, // permission denied
	911,      // no such database
	927, 942, // database in the middle of a restore, offline
	3021,       // BACKUP or RESTORE inside a transaction
	3102,       // RESTORE from inside the database it restores
	3117, 3153, // nothing to roll forward / already recovered
	3154,       // another database's backup
	3135,       // not a log backup
	3169,       // backup from a newer version
	3201,       // cannot open the backup device (path, permission)
	3203, 3208, // read failed, unexpected end: damaged or partial
	3241, 3242, 3143, // not a backup, not a valid set
	3183, 3186, 3189, // damaged backup set
	4038,                   // no such FILE = n
	4305, 4312, 4326, 4349, // too recent (gap), chain broken, too early, gap
	4318, 4330, // WITH RECOVERY too early, recovery fork mismatch
	5052, 5069, // ALTER DATABASE not permitted in this state
	32014, // not a log shipping secondary
}

// Classify marks err for the engine's retry policy: retryable (a deadlock,
// a lock timeout, a transient login error, a dropped connection, a
// timeout) or permanent (syntax, permissions, a broken restore chain,
// a certificate that does not validate), looking at every SQL Server
// error err carries. An error already marked, and one of unknown cause,
// are returned as they are. Cancellation is never retryable.
func Classify(err error) error {
	if err == nil || actions.ClassOf(err) != actions.Unknown || errors.Is(err, context.Canceled) {
		return err
	}
	if c, ok := classifyNumbers(err, Numbers(err)); ok {
		return c
	}
	switch {
	case certificateError(err):
		return actions.MarkPermanent(err)
	case connectionError(err):
		return actions.MarkRetryable(err)
	}
	return err
}

// classifyNumbers: a retryable cause wins (4060 before the 18456 that
// ends every failed login); 18456 alone is a wrong login or password.
// It reports false when no number is in either list.
func classifyNumbers(err error, nums []int32) (error, bool) {
	for _, n := range nums {
		if slices.Contains(Retryable, n) {
			return actions.MarkRetryable(err), true
		}
	}
	for _, n := range nums {
		if n == 18456 || slices.Contains(Permanent, n) {
			return actions.MarkPermanent(err), true
		}
	}
	return err, false
}

// connectionError reports a connection that broke or could not be made:
// what SqlClient reports as 10053, 10054 and 10060 surfaces in Go as
// network errors, EOF and driver.ErrBadConn.
func connectionError(err error) bool {
	var ne net.Error
	var se mssql.StreamError
	var serr mssql.ServerError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &ne) || errors.As(err, &se) || errors.As(err, &serr)
}

// certificateError reports a server certificate that did not validate.
// go-mssqldb formats the TLS handshake error of the login with %v, which
// loses the chain, so its text is read too.
func certificateError(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cv) ||
		strings.Contains(err.Error(), "tls: failed to verify certificate")
}

// redacted is an error whose text has its secrets masked, with the
// original still underneath for errors.As (Numbers, Classify).
type redacted struct {
	err  error
	text string
}

func (e *redacted) Error() string { return e.text }
func (e *redacted) Unwrap() error { return e.err }

// redact masks env's secrets in err's text (a script's error may quote
// a statement that holds one).
func redact(env *actions.Env, err error) error {
	if err == nil || env == nil || env.Redact == nil {
		return err
	}
	return &redacted{err: err, text: env.Redact(err.Error())}
}
