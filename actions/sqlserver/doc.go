// Package sqlserver is the SQL Server family: the sqlserver target's
// connection pool and the actions and checks that use it (sql.exec,
// sql.check, db.state, db.kill_sessions, db.recover). It is the only
// package, with actions/logship, that links go-mssqldb.
//
// # The handle
//
// The engine opens a sqlserver target once per run with the opener this
// package attaches (Register) and hands the Pool to every step and check
// of the target; PoolOf finds it in an actions.Env. A Pool holds one
// *sql.DB (driver "sqlserver") whose sessions show the application name
// failover/VERSION, so that db.kill_sessions never ends them; Conn pins
// one session in master for work that depends on it (RESTORE, KILL and
// the @@SPID that excludes ourselves); Shared is a run-scoped store for
// caches (RESTORE HEADERONLY results), never a package-level one.
//
// # Errors
//
// Numbers and Has read every SQL Server error of a failure (mssql.Error
// keeps them in All, first to last: a failed RESTORE's cause comes
// before its 3013); Classify marks errors retryable or permanent for the
// engine's retry policy. docs/sqlserver.md has the table.
//
// # Names
//
// Everything a statement takes as a value is sent as a parameter. The few
// names that T-SQL cannot take as parameters (ALTER DATABASE, USE) are
// quoted by QuoteName, and KILL takes only a validated integer.
package sqlserver
