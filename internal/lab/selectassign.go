package lab

// assigns reports whether the SELECT assigns variables (SELECT @v = expr,
// …): then every item must, as SQL Server requires (141), and it sends
// no result set.
func (s *selectStmt) assigns() (bool, error) {
	n := 0
	for _, it := range s.items {
		if it.assign != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return false, nil
	case n != len(s.items):
		return false, fail(sqlMsg{141, 1, 15, "A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations."})
	case s.union != nil:
		return false, fail(msgUnsupported("SELECT @variable = … with UNION"))
	}
	return true, nil
}

// assign runs SELECT @v = expr, …: each variable takes its value from
// the last row; with no row, the variables keep their values.
func (s *selectStmt) assign(x *stmtCtx) error {
	for _, it := range s.items {
		if _, ok := x.vars[it.assign]; !ok {
			return fail(msgMustDeclare(it.assign))
		}
	}
	_, rows, err := s.rows(x)
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		last := rows[len(rows)-1].vals
		for i, it := range s.items {
			if err := x.assignVar(it.assign, last[i]); err != nil {
				return err
			}
		}
	}
	x.w.Done(int64(len(rows)))
	return nil
}
