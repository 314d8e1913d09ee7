package lab

import "strings"

// stmtStarts are the keywords that begin a statement the lab knows; a new
// statement starts at one of them at the start of a line (T-SQL needs no
// separator) or after a ';'.
var stmtStarts = map[string]bool{
	"SELECT": true, "SET": true, "USE": true, "RESTORE": true, "KILL": true,
	"EXEC": true, "EXECUTE": true, "ALTER": true, "BEGIN": true, "COMMIT": true,
	"ROLLBACK": true, "DECLARE": true, "PRINT": true, "WAITFOR": true, "GO": true,
	"IF": true, "INSERT": true, "UPDATE": true, "DELETE": true, "CREATE": true,
	"DROP": true, "BACKUP": true, "SAVE": true,
}

// joiners are tokens after which a statement keyword continues the current
// statement (SELECT … UNION SELECT, ALTER … WITH ROLLBACK IMMEDIATE).
var joiners = map[string]bool{
	"UNION": true, "ALL": true, "EXCEPT": true, "INTERSECT": true, "WITH": true,
	"AS": true, "AND": true, "OR": true, "NOT": true, "IN": true,
}

// splitStatements splits a batch into statements.
func splitStatements(toks []token) [][]token {
	var out [][]token
	var cur []token
	depth := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	for _, t := range toks {
		switch {
		case t.isOp(";") && depth == 0:
			flush()
			continue
		case t.isOp("("):
			depth++
		case t.isOp(")"):
			depth--
		}
		if depth == 0 && len(cur) > 0 && startsStatement(t, cur[len(cur)-1]) {
			flush()
		}
		cur = append(cur, t)
	}
	flush()
	return out
}

// startsStatement reports whether t begins a new statement after prev.
func startsStatement(t, prev token) bool {
	if t.kind != tWord || !t.lineStart || !stmtStarts[strings.ToUpper(t.text)] {
		return false
	}
	if prev.kind == tWord && joiners[strings.ToUpper(prev.text)] {
		return false
	}
	if prev.kind == tOp && prev.text != ")" {
		return false // "=", ",", "(" … continue the statement
	}
	// BEGIN TRAN / COMMIT after a keyword that takes them is rare in the
	// statements the actions send; a line break before ROLLBACK inside
	// ALTER DATABASE … WITH is covered by joiners.
	return true
}
