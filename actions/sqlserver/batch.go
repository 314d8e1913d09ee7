package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/golang-sql/sqlexp"
	mssql "github.com/microsoft/go-mssqldb"
)

// BatchResult is what one batch did.
type BatchResult struct {
	// RowsAffected sums the row counts of the batch's statements, as
	// SQL Server counts them (a SELECT's rows too; SET NOCOUNT ON
	// silences them).
	RowsAffected int64
	// Row is the first row of the batch's last result set, by column
	// name (values as plainValue makes them); nil when it returned none.
	Row map[string]any
	// Columns orders Row's keys.
	Columns []string
}

// MessageFunc receives the messages of a batch in the order the server
// sent them: informational ones (PRINT, RAISERROR of severity 10 or
// less, RESTORE's "n percent processed") with isError false, errors
// with isError true.
type MessageFunc func(m mssql.Error, isError bool)

// errConnectionBroken ends the wait for a batch whose connection broke.
var errConnectionBroken = errors.New("the connection broke")

// Batch runs one batch (no GO) on c, a pinned session of the pool, and
// reads everything it sends back as it arrives: messages go to
// onMessage (nil: dropped), rows affected are summed, the first row of
// the last result set is kept. The errors of the batch come back as one
// mssql.Error whose All lists each of them (Numbers, Has); a broken
// connection as the driver's error. Its errors are not classified.
func (p *Pool) Batch(ctx context.Context, c *sql.Conn, text string, args []any, onMessage MessageFunc) (BatchResult, error) {
	broken := p.brokenCh(c)
	res, err := runBatch(ctx, c, broken, text, args, onMessage)
	if err != nil {
		p.discardIfBroken(c, broken)
	}
	return res, err
}

// runBatch runs one batch on q (a pinned session, or a transaction on
// one) whose socket closes broken when it fails.
func runBatch(ctx context.Context, q Querier, broken <-chan struct{}, text string, args []any, onMessage MessageFunc) (BatchResult, error) {
	var res BatchResult
	if onMessage == nil {
		onMessage = func(mssql.Error, bool) {}
	}
	retmsg := &sqlexp.ReturnMessage{}
	rows, err := q.QueryContext(ctx, text, append(args, retmsg)...)
	if err != nil {
		return res, err
	}
	// wait ends the wait for messages when the socket broke; ctx itself
	// stays: cancelling it would make the driver interrupt the statement.
	wait, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-broken:
			stop()
		case <-wait.Done():
		}
	}()
	var errs []mssql.Error
	var other error
	for active := true; active; {
		switch m := retmsg.Message(wait).(type) {
		case sqlexp.MsgNotice:
			if me, ok := m.Message.(mssql.Error); ok {
				onMessage(me, false)
			}
		case sqlexp.MsgError:
			var me mssql.Error
			if errors.As(m.Error, &me) {
				errs = append(errs, me)
				onMessage(me, true)
				continue
			}
			// Not the server's: the connection broke and go-mssqldb
			// stopped reading the response; nothing else will come.
			other, active = m.Error, false
		case sqlexp.MsgRowsAffected:
			res.RowsAffected += m.Count
		case sqlexp.MsgNext:
			if err := res.readRows(rows); err != nil && other == nil {
				other = err
			}
		case sqlexp.MsgNextResultSet:
			if wait.Err() != nil && ctx.Err() == nil {
				other, active = errConnectionBroken, false
				break
			}
			active = rows.NextResultSet()
		}
	}
	// Close hands over the read error a broken connection left behind.
	if cerr := rows.Close(); cerr != nil && (other == nil || other == errConnectionBroken) {
		other = cerr
	}
	return res, batchError(ctx, errs, other, rows.Err())
}

// readRows reads a result set, keeping its first row.
func (res *BatchResult) readRows(rows *sql.Rows) error {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	first := true
	for rows.Next() {
		if !first {
			continue
		}
		first = false
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		res.Row, res.Columns = map[string]any{}, nil
		for i, c := range cols {
			res.Row[c.Name()] = plainValue(vals[i], c.DatabaseTypeName())
			res.Columns = append(res.Columns, c.Name())
		}
	}
	return nil
}

// batchError joins the errors of a batch: the server's, in order, as one
// mssql.Error (its top-level fields the last, as go-mssqldb builds it),
// else a broken connection or a cancelled context.
func batchError(ctx context.Context, errs []mssql.Error, other, rowsErr error) error {
	if len(errs) > 0 {
		last := errs[len(errs)-1]
		last.All = errs
		if other != nil {
			return fmt.Errorf("%w (then: %v)", last, other)
		}
		return last
	}
	if other != nil {
		return other
	}
	if rowsErr != nil {
		return rowsErr
	}
	return ctx.Err()
}
