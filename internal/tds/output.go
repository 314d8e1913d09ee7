package tds

// OutputWriter is implemented by the server's ResponseWriter: a stored
// procedure handler sends OUTPUT parameter values with it (RETURNVALUE
// tokens, which go-mssqldb matches to sql.Out arguments by name). Call it
// after the procedure's result sets and before returning.
type OutputWriter interface {
	// OutputParam sends name (with its "@") as col's type with value.
	OutputParam(name string, col Column, value any) error
}

var _ OutputWriter = (*responseWriter)(nil)
