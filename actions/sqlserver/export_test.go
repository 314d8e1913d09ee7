package sqlserver

// Exported for the tests of package sqlserver_test.
var (
	SessionsQueryOld = sessionsQueryOld
	QuerySessions    = querySessions
)
