package lab

import (
	"testing"

	"github.com/failover-dev/failover/internal/tds"
)

// TestRPCTextInTheStatementLog: an RPC's parameters are written quoted as
// T-SQL quotes a string, so that the log's own escaping is the only one:
// a Windows path's backslash shows as \\ in the file, once; a quote is
// doubled; NULL is bare; a password never shows.
func TestRPCTextInTheStatementLog(t *testing.T) {
	params := []tds.Param{
		{Name: "@path", Value: `D:\LSCopy\mgc\mgc_1.trn`},
		{Name: "@note", Value: "it's\tdone"},
		{Name: "@undo", Value: nil},
		{Name: "@password", Value: "Lab-Passw0rd!"},
		{Value: int64(7)},
	}
	text := rpcText("sp_x", params)
	want := `sp_x @path='D:\LSCopy\mgc\mgc_1.trn' @note='it''s` + "\t" + `done' @undo=NULL @password=*** #5='7'`
	if text != want {
		t.Errorf("rpcText = %q\nwant      %q", text, want)
	}
	if got, want := escapeField(text), `sp_x @path='D:\\LSCopy\\mgc\\mgc_1.trn' @note='it''s\tdone' @undo=NULL @password=*** #5='7'`; got != want {
		t.Errorf("in the file: %s\nwant         %s", got, want)
	}
}
