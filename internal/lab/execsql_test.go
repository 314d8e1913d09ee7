package lab

import (
	"reflect"
	"testing"
)

func TestBindExecuteSQL(t *testing.T) {
	tests := []struct {
		name    string
		decl    string
		args    []execArg
		want    map[string]any
		wantErr int32
	}{
		{name: "named", decl: "@db nvarchar(128), @pos int", args: []execArg{{"@POS", int64(2)}, {"@db", "mgc"}},
			want: map[string]any{"@db": "mgc", "@pos": int64(2)}},
		{name: "positional in declared order", decl: "@a int, @b int", args: []execArg{{"", int64(7)}, {"", int64(8)}},
			want: map[string]any{"@a": int64(7), "@b": int64(8)}},
		{name: "NULL is a value", decl: "@a int", args: []execArg{{"@a", nil}}, want: map[string]any{"@a": nil}},
		{name: "no declaration, no value", want: map[string]any{}},
		{name: "declared but not supplied", decl: "@a int", wantErr: 8178},
		{name: "value for no declared parameter", decl: "@a int", args: []execArg{{"@a", int64(1)}, {"@b", int64(5)}}, wantErr: 8145},
		{name: "too many values", decl: "@a int", args: []execArg{{"", int64(1)}, {"", int64(2)}}, wantErr: 8144},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bindExecuteSQL("SELECT @a", tt.decl, tt.args)
			wantSQLResult(t, "vars", got, err, tt.want, tt.wantErr)
		})
	}
}

// TestExecuteSQLInABatch: EXEC sp_executesql binds positional values and
// refuses a declared parameter left out, as SQL Server does.
func TestExecuteSQLInABatch(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	w := run(t, in, s, "EXEC sp_executesql N'SELECT @a AS a', N'@a int', 7")
	if got := cell(t, w, 0, "a"); got != int64(7) {
		t.Errorf("positional value: a = %v, want 7", got)
	}
	w = run(t, in, s, "EXEC sp_executesql N'SELECT @a AS a', N'@a int'")
	if got := w.errorNumbers(); !reflect.DeepEqual(got, []int32{8178}) ||
		w.errors[0].Text != "The parameterized query '(@a int)SELECT @a AS a' expects the parameter '@a', which was not supplied." {
		t.Errorf("missing value: %v", w.errors)
	}
}
