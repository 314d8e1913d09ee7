package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/actions"
)

// ExecParams are the parameters of sql.exec.
type ExecParams struct {
	Script           string         `param:"script" doc:"T-SQL to run, inline; batches separated by GO lines as in sqlcmd (GO 3 runs a batch three times). Give script or file."`
	File             string         `param:"file" doc:"A T-SQL file (UTF-8, or UTF-16 with a byte order mark), relative to the plan's directory. Give script or file."`
	Params           map[string]any `param:"params,secret" doc:"Named parameters: @name in the T-SQL. Values are sent as parameters (sp_executesql), never spliced into the text; they may hold secrets. A batch gets the parameters it mentions."`
	Database         string         `param:"database" doc:"Database to run in (USE [database] before the first batch). Omitted: the target's database."`
	Transaction      bool           `param:"transaction" doc:"Run every batch in one transaction, committed at the end and rolled back on any error. Omitted: no transaction (each statement commits on its own; RESTORE and BACKUP need that)."`
	StatementTimeout time.Duration  `param:"statement_timeout" doc:"How long one batch may run; the server is told to stop it when it takes longer. Omitted: no limit but the step's timeout."`
}

// maxMessages bounds the messages kept in the outputs (all are logged).
const maxMessages = 100

// reservedOutputs are sql.exec's own output keys: a column of the same
// name does not replace them.
var reservedOutputs = map[string]bool{"rows_affected": true, "batches": true, "messages": true}

// execAction is sql.exec.
type execAction struct{}

func execType() *actions.Type {
	return actions.Define[ExecParams](actions.Type{
		Name: "sql.exec",
		Kind: actions.KindAction,
		Doc: "Runs T-SQL on a sqlserver target: an inline script or a file, split into batches on GO lines, " +
			"in one session. Named params are sent as parameters, never spliced into the text. PRINT and " +
			"RAISERROR messages are logged with the step as they arrive; the first batch with an error stops " +
			"the step (errors are classified: a deadlock or a dropped connection is retryable, a syntax or " +
			"permission error is not). No transaction unless `transaction: true`. Not idempotent: declare " +
			"`idempotent: true` on a step whose T-SQL may safely run twice. The columns of the first row of " +
			"the last result set become outputs too. A batch with parameters runs through sp_executesql, so a " +
			"#temp table it creates is gone after it: create temp tables in a batch without parameters.",
		Targets:     []string{"sqlserver"},
		OpenOutputs: true,
		Outputs: []actions.Output{
			{Name: "rows_affected", Doc: "Rows affected by every statement of every batch, summed."},
			{Name: "batches", Doc: "How many batches ran."},
			{Name: "messages", Doc: fmt.Sprintf("The PRINT and RAISERROR messages (the last %d), secrets masked.", maxMessages)},
		},
	}, execAction{})
}

// Validate checks the params' cross-field rules.
func (execAction) Validate(p *ExecParams) error {
	switch {
	case p.Script == "" && p.File == "":
		return errors.New("give script (T-SQL inline) or file (a .sql file)")
	case p.Script != "" && p.File != "":
		return errors.New("script and file exclude each other")
	case p.File == "" && len(splitBatches(p.Script)) == 0:
		return errors.New("script holds no T-SQL")
	case p.StatementTimeout < 0:
		return fmt.Errorf("statement_timeout must not be negative, got %s", p.StatementTimeout)
	}
	if p.Database != "" {
		if err := CheckName(p.Database); err != nil {
			return fmt.Errorf("database: %w", err)
		}
	}
	_, err := checkParams(p.Params)
	return err
}

// Preview renders the session's T-SQL: the batches, with the parameter
// values each is sent with.
func (execAction) Preview(env *actions.Env, p *ExecParams) (string, error) {
	batches, err := loadBatches(env, p)
	if err != nil {
		return "", err
	}
	np, err := checkParams(p.Params)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s, %d batch(es)\n", sessionWords(p), len(batches))
	if p.Database != "" {
		fmt.Fprintf(&b, "USE %s;\nGO\n", mustQuote(p.Database))
	}
	for i, bt := range batches {
		if i > 0 {
			b.WriteString("GO\n")
		}
		if ps := np.render(bt); ps != "" {
			fmt.Fprintf(&b, "-- parameters: %s\n", ps)
		}
		b.WriteString(strings.Trim(bt, "\r\n") + "\n")
	}
	return env.RedactText(b.String()), nil
}

// Inspect reads, without running the script, whether it could run: the
// database it would run in and how many batches there are.
func (execAction) Inspect(ctx context.Context, env *actions.Env, p *ExecParams) (actions.Inspection, error) {
	batches, err := loadBatches(env, p)
	if err != nil {
		return actions.Inspection{}, actions.MarkPermanent(err)
	}
	pool, err := PoolOf(env)
	if err != nil {
		return actions.Inspection{}, err
	}
	db := p.Database
	if db == "" {
		if err := pool.DB().QueryRowContext(ctx, "SELECT DB_NAME()").Scan(&db); err != nil {
			return actions.Inspection{}, pool.Errorf(err, "read the current database")
		}
	}
	st, err := ReadDatabaseState(ctx, pool.DB(), db)
	if err != nil {
		return actions.Inspection{}, err
	}
	in := actions.Inspection{Change: actions.ChangeSome, Details: []string{st.String()},
		Summary: fmt.Sprintf("would run %d batch(es) in %s (%s)", len(batches), db, sessionWords(p)),
		Data:    map[string]any{"batches": int64(len(batches)), "database": st.Outputs()}}
	if !st.Exists || st.State != "ONLINE" {
		in.Summary = fmt.Sprintf("would fail: %s; a script needs it ONLINE", st)
	}
	return in, nil
}

// Run runs every batch in one session, stopping at the first error.
func (execAction) Run(ctx context.Context, env *actions.Env, p *ExecParams) (map[string]any, error) {
	batches, err := loadBatches(env, p)
	if err != nil {
		return nil, actions.MarkPermanent(err)
	}
	np, err := checkParams(p.Params)
	if err != nil {
		return nil, actions.MarkPermanent(err)
	}
	pool, err := PoolOf(env)
	if err != nil {
		return nil, err
	}
	conn, err := pool.DB().Conn(ctx)
	if err != nil {
		return nil, pool.Errorf(err, "connect")
	}
	defer conn.Close()
	s := &execSession{env: env, pool: pool, p: p, np: np, broken: pool.brokenCh(conn)}
	out, err := s.run(ctx, conn, batches)
	if err != nil {
		pool.discardIfBroken(conn, s.broken)
	}
	return out, err
}

// loadBatches reads the script (inline or the file) and splits it.
func loadBatches(env *actions.Env, p *ExecParams) ([]string, error) {
	text := p.Script
	if p.File != "" {
		var err error
		if text, err = readScript(scriptPath(env.PlanDir, p.File)); err != nil {
			return nil, err
		}
	}
	batches := splitBatches(text)
	if len(batches) == 0 {
		return nil, errors.New("the script holds no T-SQL")
	}
	return batches, nil
}

// sessionWords says how the batches run, for previews and summaries.
func sessionWords(p *ExecParams) string {
	if p.Transaction {
		return "in one transaction"
	}
	return "no transaction"
}

// mustQuote quotes a name Validate checked.
func mustQuote(name string) string {
	q, err := QuoteName(name)
	if err != nil {
		return "[?]"
	}
	return q
}

// execSession runs the batches of one sql.exec attempt.
type execSession struct {
	env      *actions.Env
	pool     *Pool
	p        *ExecParams
	np       namedParams
	broken   <-chan struct{}
	messages []any
	// batch is the batch being run (1-based), for messages.
	batch int
}

func (s *execSession) run(ctx context.Context, conn *sql.Conn, batches []string) (map[string]any, error) {
	if s.p.Database != "" {
		if _, err := conn.ExecContext(ctx, "USE "+mustQuote(s.p.Database)); err != nil {
			return nil, s.pool.Errorf(err, "use database %s", s.p.Database)
		}
	}
	var q Querier = conn
	var tx *sql.Tx
	if s.p.Transaction {
		var err error
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return nil, s.pool.Errorf(err, "begin the transaction")
		}
		defer tx.Rollback() // after Commit, a no-op
		q = tx
	}
	out := map[string]any{}
	var affected int64
	for i, bt := range batches {
		s.batch = i + 1
		res, err := s.runOne(ctx, q, bt)
		affected += res.RowsAffected
		if err != nil {
			return nil, s.failed(err, bt, len(batches))
		}
		if res.Row != nil {
			out = map[string]any{}
			for _, c := range res.Columns {
				if c != "" && !reservedOutputs[c] {
					out[c] = redactValue(s.env, res.Row[c])
				}
			}
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return nil, s.pool.Errorf(err, "commit")
		}
	}
	out["rows_affected"], out["batches"], out["messages"] = affected, int64(len(batches)), s.messages
	return out, nil
}

// runOne runs one batch within statement_timeout.
func (s *execSession) runOne(ctx context.Context, q Querier, text string) (BatchResult, error) {
	if s.p.StatementTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.p.StatementTimeout)
		defer cancel()
	}
	res, err := runBatch(ctx, q, s.broken, text, s.np.args(text), s.message)
	if errors.Is(err, context.DeadlineExceeded) && s.p.StatementTimeout > 0 {
		err = fmt.Errorf("took longer than statement_timeout %s: %w", s.p.StatementTimeout, err)
	}
	return res, err
}

// message logs a PRINT, RAISERROR or error message with the step, and
// keeps it for the outputs.
func (s *execSession) message(m mssql.Error, isError bool) {
	text := s.env.RedactText(m.Message)
	ev := s.env.Log.Info()
	if isError || m.Class > 10 {
		ev = s.env.Log.Warn().Int32("error", m.Number).Uint8("severity", m.Class)
	}
	ev.Int("batch", s.batch).Msg(text)
	if len(s.messages) == maxMessages {
		s.messages = s.messages[1:]
	}
	s.messages = append(s.messages, text)
}

// failed wraps a batch's error with which batch it was, and classifies it.
func (s *execSession) failed(err error, text string, total int) error {
	where := fmt.Sprintf("batch %d of %d (%s)", s.batch, total, firstLine(text))
	if s.p.Transaction {
		where += ", transaction rolled back"
	}
	return s.pool.Errorf(redact(s.env, err), "%s", where)
}

// redactValue masks secrets in a text output.
func redactValue(env *actions.Env, v any) any {
	if s, ok := v.(string); ok {
		return env.RedactText(s)
	}
	return v
}
