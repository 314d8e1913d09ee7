package sqlserver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"syscall"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/actions"
)

// sqlErr builds the error go-mssqldb returns for a response that carried
// the given errors: the last one in the top-level fields, all in All.
func sqlErr(nums ...int32) error {
	e := mssql.Error{}
	for _, n := range nums {
		one := mssql.Error{Number: n, Class: 16, Message: fmt.Sprintf("error %d", n)}
		e.All = append(e.All, one)
		e.Number, e.Class, e.Message = one.Number, one.Class, one.Message
	}
	return e
}

func TestNumbersAndHas(t *testing.T) {
	restore := fmt.Errorf("restore: %w", sqlErr(4305, 3013))
	if got := Numbers(restore); !reflect.DeepEqual(got, []int32{4305, 3013}) {
		t.Errorf("Numbers = %v, want [4305 3013]", got)
	}
	if !Has(restore, 4305) || !Has(restore, 4326, 3013) || Has(restore, 4326) {
		t.Error("Has does not look at every error of the list")
	}
	if got := Numbers(mssql.Error{Number: 1205}); !reflect.DeepEqual(got, []int32{1205}) {
		t.Errorf("Numbers of an Error without All = %v, want [1205]", got)
	}
	if Numbers(io.EOF) != nil || Has(nil, 1205) {
		t.Error("an error without SQL Server errors has numbers")
	}
	if m := Message(restore, 4305); m != "error 4305" {
		t.Errorf("Message = %q", m)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want actions.Class
	}{
		{name: "deadlock victim", err: sqlErr(1205), want: actions.Retryable},
		{name: "lock timeout", err: sqlErr(1222), want: actions.Retryable},
		{name: "login to a database being recovered", err: sqlErr(4060, 18456), want: actions.Retryable},
		{name: "wrong login", err: sqlErr(18456), want: actions.Permanent},
		{name: "database in use", err: sqlErr(3101, 3013), want: actions.Retryable},
		{name: "interrupted restore", err: sqlErr(4319, 3013), want: actions.Retryable},
		{name: "gap: the cause, not 3013", err: sqlErr(4305, 3013), want: actions.Permanent},
		{name: "fork mismatch", err: sqlErr(4330, 3013), want: actions.Permanent},
		{name: "file missing", err: sqlErr(3201, 3013), want: actions.Permanent},
		{name: "3013 alone says nothing", err: sqlErr(3013), want: actions.Unknown},
		{name: "syntax", err: sqlErr(102), want: actions.Permanent},
		{name: "permission", err: sqlErr(229), want: actions.Permanent},
		{name: "kill permission", err: sqlErr(6102), want: actions.Permanent},
		{name: "restore permission", err: sqlErr(3110, 3013), want: actions.Permanent},
		{name: "a RAISERROR of the script", err: sqlErr(50000), want: actions.Unknown},
		{name: "dropped connection", err: fmt.Errorf("query: %w", io.EOF), want: actions.Retryable},
		{name: "bad connection", err: driver.ErrBadConn, want: actions.Retryable},
		{name: "connection reset", err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, want: actions.Retryable},
		{name: "timeout", err: context.DeadlineExceeded, want: actions.Retryable},
		{name: "cancelled", err: context.Canceled, want: actions.Unknown},
		{name: "already marked", err: actions.MarkPermanent(io.EOF), want: actions.Permanent},
		{name: "other", err: errors.New("something"), want: actions.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if c := actions.ClassOf(got); c != tt.want {
				t.Errorf("class = %s, want %s", c, tt.want)
			}
			if got.Error() != tt.err.Error() || !reflect.DeepEqual(Numbers(got), Numbers(tt.err)) {
				t.Errorf("the classified error %v lost its cause %v", got, tt.err)
			}
		})
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) is not nil")
	}
}

func TestQuoteName(t *testing.T) {
	tests := []struct {
		name, want, err string
	}{
		{name: "mgc", want: "[mgc]"},
		{name: "a]b", want: "[a]]b]"},
		{name: "mgc]; DROP DATABASE x; --", want: "[mgc]]; DROP DATABASE x; --]"},
		{name: "[x]", want: "[[x]]]"},
		{name: "Grüße 'x'", want: "[Grüße 'x']"},
		{name: "", err: "name must not be empty"},
		{name: "a\x00b", err: `name "a\x00b" holds a NUL character`},
		{name: string(make([]byte, 129)), err: "holds a NUL"},
		{name: strings.Repeat("d", 129), err: "is 129 characters long, more than the 128 of sysname"},
		{name: strings.Repeat("ü", 128), want: "[" + strings.Repeat("ü", 128) + "]"},
	}
	for _, tt := range tests {
		got, err := QuoteName(tt.name)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("QuoteName(%.20q) = %q, %v; want error %q", tt.name, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("QuoteName(%.20q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
