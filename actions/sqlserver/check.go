package sqlserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/expect"
)

// maxCheckRows bounds the rows a check reads: it compares values, it
// does not load tables.
const maxCheckRows = 10000

// CheckParams are the parameters of sql.check.
type CheckParams struct {
	Query    string         `param:"query,required" doc:"A query (one batch, no GO). Its first column, row by row, is what expect looks at."`
	Params   map[string]any `param:"params,secret" doc:"Named parameters: @name in the query, sent as parameters, never spliced into the text."`
	Expect   any            `param:"expect" doc:"What must come back: a value (equals), a list (one of), or a mapping {equals, one_of, matches, gt, ge, lt, le, eq, ne, count} whose rules must all hold. Omitted: at least one row ({count: {ge: 1}})."`
	Database string         `param:"database" doc:"Database to run the query in (USE [database] first). Omitted: the target's database."`
	Timeout  time.Duration  `param:"timeout" default:"30s" doc:"How long the query may run."`
}

// sqlCheck is sql.check.
type sqlCheck struct{}

func checkType() *actions.Type {
	return actions.Define[CheckParams](actions.Type{
		Name: "sql.check",
		Kind: actions.KindCheck,
		Doc: "Runs a query on a sqlserver target and passes when what comes back is what `expect` says: the " +
			"first column of the one row equals a value, is one of a list, matches a regular expression, or " +
			"compares as a number (exactly, for LSNs); or `count` rows come back. A failure says what was " +
			"expected and what came back. The query should only read: `failover plan --check` runs checks.",
		Targets: []string{"sqlserver"},
	}, sqlCheck{})
}

// Validate checks the query, params and expect.
func (sqlCheck) Validate(p *CheckParams) error {
	switch n := len(splitBatches(p.Query)); {
	case n == 0:
		return fmt.Errorf("query holds no T-SQL")
	case n > 1:
		return fmt.Errorf("query holds %d batches (GO lines): a check runs one query", n)
	case p.Timeout <= 0:
		return fmt.Errorf("timeout must be positive, got %s", p.Timeout)
	}
	if p.Database != "" {
		if err := CheckName(p.Database); err != nil {
			return fmt.Errorf("database: %w", err)
		}
	}
	if _, err := checkParams(p.Params); err != nil {
		return err
	}
	_, err := rule(p.Expect)
	return err
}

// rule parses expect; omitted, at least one row must come back.
func rule(v any) (expect.Rule, error) {
	if v == nil {
		v = map[string]any{"count": map[string]any{"ge": int64(1)}}
	}
	return expect.Parse(v)
}

// Preview shows the query with its parameters and what is expected.
func (sqlCheck) Preview(env *actions.Env, p *CheckParams) (string, error) {
	np, err := checkParams(p.Params)
	if err != nil {
		return "", err
	}
	r, err := rule(p.Expect)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "-- expect %s\n", r)
	if p.Database != "" {
		fmt.Fprintf(&b, "USE %s;\n", mustQuote(p.Database))
	}
	if ps := np.render(p.Query); ps != "" {
		fmt.Fprintf(&b, "-- parameters: %s\n", ps)
	}
	b.WriteString(strings.TrimSpace(p.Query) + "\n")
	return env.RedactText(b.String()), nil
}

// Check runs the query once and applies expect.
func (sqlCheck) Check(ctx context.Context, env *actions.Env, p *CheckParams) (actions.Result, error) {
	r, err := rule(p.Expect)
	if err != nil {
		return actions.Result{}, actions.MarkPermanent(err)
	}
	np, err := checkParams(p.Params)
	if err != nil {
		return actions.Result{}, actions.MarkPermanent(err)
	}
	pool, err := PoolOf(env)
	if err != nil {
		return actions.Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	values, err := firstColumn(ctx, pool, p, np)
	if err != nil {
		return actions.Result{}, redact(env, err)
	}
	out := r.Check(values, "row")
	res := actions.Result{OK: out.OK, Detail: env.RedactText(out.Detail), Outputs: map[string]any{"rows": int64(len(values))}}
	if len(values) > 0 {
		res.Outputs["value"] = redactValue(env, values[0])
	}
	return res, nil
}

// firstColumn runs the query in a session of its own and returns the
// first column of every row (at most maxCheckRows).
func firstColumn(ctx context.Context, pool *Pool, p *CheckParams, np namedParams) ([]any, error) {
	conn, err := pool.DB().Conn(ctx)
	if err != nil {
		return nil, pool.Errorf(err, "connect")
	}
	defer conn.Close()
	if p.Database != "" {
		if _, err := conn.ExecContext(ctx, "USE "+mustQuote(p.Database)); err != nil {
			return nil, pool.Errorf(err, "use database %s", p.Database)
		}
	}
	rows, err := conn.QueryContext(ctx, p.Query, np.args(p.Query)...)
	if err != nil {
		return nil, pool.Errorf(err, "run the query")
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	switch {
	case err != nil:
		return nil, pool.Errorf(err, "read the query's columns")
	case len(cols) == 0:
		return nil, pool.Errorf(errors.New("the query returned no result set"), "run the query")
	}
	var values []any
	for rows.Next() {
		if len(values) == maxCheckRows {
			return nil, actions.MarkPermanent(fmt.Errorf("run the query on %s: more than %d rows; a check compares values, it does not read tables", pool.Target(), maxCheckRows))
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, pool.Errorf(err, "read a row")
		}
		values = append(values, plainValue(vals[0], cols[0].DatabaseTypeName()))
	}
	if err := rows.Err(); err != nil {
		return nil, pool.Errorf(err, "run the query")
	}
	return values, nil
}
