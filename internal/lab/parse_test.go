package lab

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseBatchSplitsStatements(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"semicolons", "SET NOCOUNT ON; SELECT 1;", []string{"SET NOCOUNT ON", "SELECT 1"}},
		{"newlines", "SET XACT_ABORT ON\nSELECT @@SPID\nKILL 57", []string{"SET XACT_ABORT ON", "SELECT @@SPID", "KILL 57"}},
		{"select over lines", "SELECT name\nFROM sys.databases\nWHERE name = N'mgc'", []string{"SELECT name\nFROM sys.databases\nWHERE name = N'mgc'"}},
		{"union keeps select", "SELECT 1 AS a\nUNION\nSELECT 2", []string{"SELECT 1 AS a\nUNION\nSELECT 2"}},
		{"comments", "-- first\nSELECT 1 /* a /* nested */ comment */; SELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"keyword inside string", "SELECT N'x\nSELECT y'", []string{"SELECT N'x\nSELECT y'"}},
		{"rollback inside alter", "ALTER DATABASE mgc SET SINGLE_USER WITH\nROLLBACK IMMEDIATE", []string{"ALTER DATABASE mgc SET SINGLE_USER WITH\nROLLBACK IMMEDIATE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := parseBatch(tt.sql)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var got []string
			for _, s := range stmts {
				got = append(got, s.text)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("statements = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseBatchErrors(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want int32
	}{
		{"GO is not T-SQL", "SELECT 1\nGO", 102},
		{"unclosed string", "SELECT N'abc", 105},
		{"unclosed comment", "SELECT 1 /* open", 113},
		{"unsupported statement", "DROP DATABASE mgc", UnsupportedNumber},
		{"unsupported SET option", "SET SHOWPLAN_ALL ON", UnsupportedNumber},
		{"SET ROWCOUNT would cut results", "SET ROWCOUNT 1", UnsupportedNumber},
		{"SET IMPLICIT_TRANSACTIONS ON would make RESTORE fail", "SET IMPLICIT_TRANSACTIONS ON", UnsupportedNumber},
		{"SET LANGUAGE would change @@LANGUAGE and the messages", "SET LANGUAGE Deutsch", UnsupportedNumber},
		{"KILL takes no variable", "KILL @spid", 102},
		{"binary literal unsupported, not 0 AS x01", "SELECT 0x01", UnsupportedNumber},
		{"sp_who2 filter unsupported, not ignored", "EXEC sp_who2 'active'", UnsupportedNumber},
		{"sp_help_log_shipping_monitor takes no argument", "EXEC sp_help_log_shipping_monitor 1", 8144},
		{"KILL WITH STATUSONLY unsupported", "KILL 57 WITH STATUSONLY", UnsupportedNumber},
		// The lab's parser follows only the forms the actions send: where it
		// stops, the statement may be valid T-SQL, so it is not a 102.
		{"incomplete select", "SELECT name FROM", UnsupportedNumber},
		{"cursor", "DECLARE c CURSOR LOCAL FAST_FORWARD FOR SELECT session_id FROM sys.dm_exec_sessions", UnsupportedNumber},
		{"cursor variable", "DECLARE @c CURSOR", UnsupportedNumber},
		{"table variable", "DECLARE @t TABLE (a int)", UnsupportedNumber},
		{"xml variable", "DECLARE @x xml", UnsupportedNumber},
		{"sub-query unsupported", "SELECT (SELECT 1) AS x", UnsupportedNumber},
		{"CASE unsupported", "SELECT CASE WHEN 1 = 1 THEN 2 END", UnsupportedNumber},
		{"GROUP BY unsupported", "SELECT name, COUNT(*) FROM sys.databases GROUP BY name", UnsupportedNumber},
		{"SELECT INTO unsupported", "SELECT * INTO #t FROM sys.databases", UnsupportedNumber},
		{"point-in-time restore unsupported", "RESTORE DATABASE mgc FROM DISK = N'x.bak' WITH STOPAT = '2026-01-01'", UnsupportedNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseBatch(tt.sql)
			var se *sqlError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a SQL error %d", err, tt.want)
			}
			if se.msgs[0].Number != tt.want {
				t.Errorf("error = %d %q, want %d", se.msgs[0].Number, se.msgs[0].Text, tt.want)
			}
		})
	}
}

func TestLexLiteralsAndIdentifiers(t *testing.T) {
	toks, err := lex(`SELECT N'it''s', [my]]col], "q""id", @p1, @@SPID, 12.5`)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind tokKind
		text string
	}{{tWord, "SELECT"}, {tString, "it's"}, {tOp, ","}, {tQuoted, "my]col"}, {tOp, ","},
		{tQuoted, `q"id`}, {tOp, ","}, {tVar, "@p1"}, {tOp, ","}, {tSysVar, "SPID"}, {tOp, ","}, {tNumber, "12.5"}}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens, want %d: %+v", len(toks), len(want), toks)
	}
	for i, w := range want {
		if toks[i].kind != w.kind || toks[i].text != w.text {
			t.Errorf("token %d = %v %q, want %v %q", i, toks[i].kind, toks[i].text, w.kind, w.text)
		}
	}
}

// TestParseBatchAcceptsHarmlessSetOptions: the values of the SET options
// that client tools send on connect change no answer, so they pass.
func TestParseBatchAcceptsHarmlessSetOptions(t *testing.T) {
	for _, sql := range []string{"SET ROWCOUNT 0", "SET IMPLICIT_TRANSACTIONS OFF", "SET NOCOUNT ON",
		"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "SET LOCK_TIMEOUT 5000", "SET LANGUAGE us_english",
		"SET LANGUAGE N'English'"} {
		if _, err := parseBatch(sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
}
