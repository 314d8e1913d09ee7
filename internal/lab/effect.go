package lab

import "strings"

// effect is what statements did to the server's state, for the
// statement log: whether they changed it, and whether one of them was of
// a kind that writes (so that a refused write is still seen as sent).
type effect struct {
	changed bool
	wrote   bool
}

// add takes in what o did as well.
func (e *effect) add(o effect) {
	e.changed = e.changed || o.changed
	e.wrote = e.wrote || o.wrote
}

// String is the statement log's effect column.
func (e effect) String() string {
	switch {
	case e.changed:
		return EffectWrite
	case e.wrote:
		return EffectWriteFailed
	}
	return EffectRead
}

// readStatements are the statements that never change the server's state
// (the session's own settings and transaction are not the server's).
var readStatements = map[string]bool{
	"SELECT": true, "SET": true, "DECLARE": true, "USE": true, "PRINT": true,
	"WAITFOR": true, "BEGIN": true, "COMMIT": true, "ROLLBACK": true,
}

// readRestores are the RESTORE forms that only read a backup device.
var readRestores = map[string]bool{"HEADERONLY": true, "FILELISTONLY": true, "LABELONLY": true, "VERIFYONLY": true}

// readProcs are the procedures that only read.
var readProcs = map[string]bool{"sp_who2": true, "sp_help_log_shipping_monitor": true}

// writes reports whether a statement (its tokens) is of a kind that can
// change the server's state. Dynamic SQL (EXEC (…), sp_executesql) is
// judged by what it runs when dynamic is false (the nested statements
// report their own effect); when the text is not run at all (a batch the
// lab could not parse) it counts as a write, since nobody can tell.
func writes(toks []token, dynamic bool) bool {
	if len(toks) == 0 {
		return false
	}
	kw := strings.ToUpper(toks[0].text)
	switch {
	case toks[0].kind != tWord:
		return true
	case readStatements[kw]:
		return false
	case kw == "RESTORE":
		return len(toks) < 2 || !readRestores[strings.ToUpper(toks[1].text)]
	case kw == "EXEC" || kw == "EXECUTE":
		return execWrites(toks[1:], dynamic)
	}
	return true
}

// execWrites judges EXEC's tokens after the keyword.
func execWrites(toks []token, dynamic bool) bool {
	if len(toks) > 0 && toks[0].isOp("(") {
		return dynamic
	}
	if len(toks) > 1 && toks[0].kind == tVar && toks[1].isOp("=") {
		toks = toks[2:] // EXEC @rc = proc
	}
	name := ""
	for _, t := range toks {
		if !(t.kind == tWord || t.kind == tQuoted) && !t.isOp(".") {
			break
		}
		if t.kind != tOp {
			name = strings.ToLower(t.text)
		}
	}
	return procWrites(name, dynamic)
}

// procWrites judges a procedure by its name (the last part).
func procWrites(proc string, dynamic bool) bool {
	parts := strings.Split(strings.ToLower(proc), ".")
	short := strings.Trim(parts[len(parts)-1], "[]")
	if short == "sp_executesql" {
		return dynamic
	}
	return !readProcs[short]
}

// batchWrites judges SQL text that was not run (the lab could not parse
// it, or refused the request before running it): whether any of its
// statements is of a kind that writes.
func batchWrites(sql string) bool {
	toks, err := lex(sql)
	if err != nil {
		return true
	}
	for _, st := range splitStatements(toks) {
		if writes(st, true) {
			return true
		}
	}
	return false
}
