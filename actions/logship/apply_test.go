package logship

import (
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
)

func TestValidateApply(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
		err    string
	}{
		{name: "the runbook's step", values: map[string]any{"database": "mgc", "dir": `D:\LogShip\mgc`}},
		{name: "listed elsewhere", values: map[string]any{"database": "mgc", "dir": `D:\LogShip\mgc`, "local_dir": `\\dc2-sql01\D$\LogShip\mgc`}},
		{name: "two folders", values: map[string]any{"database": "mgc", "dirs": []any{`D:\LogShip\mgc`, `\\dc1-fs01\logship\mgc`}}},
		{name: "standby", values: map[string]any{"database": "mgc", "dir": "d", "mode": "STANDBY", "undo_file": `D:\LogShip\mgc.tuf`}},
		{name: "no folder", values: map[string]any{"database": "mgc"}, err: "give dir (or dirs): the folder of the log backups as SQL Server sees it"},
		{name: "both", values: map[string]any{"database": "mgc", "dir": "a", "dirs": []any{"b"}}, err: "give dir or dirs, not both"},
		{name: "local_dir with dirs", values: map[string]any{"database": "mgc", "dirs": []any{"b"}, "local_dir": "x"}, err: "local_dir goes with dir; with dirs, give local_dirs"},
		{name: "local_dirs count", values: map[string]any{"database": "mgc", "dirs": []any{"a", "b"}, "local_dirs": []any{"x"}},
			err: "local_dirs has 1 folder(s), dirs 2: give one local folder per folder, in the same order"},
		{name: "standby without undo", values: map[string]any{"database": "mgc", "dir": "d", "mode": "STANDBY"}, err: "mode STANDBY needs undo_file: where SQL Server keeps the undo file between restores"},
		{name: "undo without standby", values: map[string]any{"database": "mgc", "dir": "d", "undo_file": "u"}, err: "undo_file goes with mode: STANDBY"},
		{name: "recovery is not a mode here", values: map[string]any{"database": "mgc", "dir": "d", "mode": "RECOVERY"}, err: `parameter "mode": "RECOVERY" is not one of NORECOVERY, STANDBY`},
		{name: "pattern with a folder", values: map[string]any{"database": "mgc", "dir": "d", "pattern": `sub\mgc_*.trn`}, err: `pattern "sub\\mgc_*.trn" must be a glob of file names (no folders), such as mgc_*.trn`},
		{name: "compliance database refused", values: map[string]any{"database": "mgccomp", "dir": "d"},
			err: "logship.apply refuses mgccomp: it is Persistent Chat's compliance database, which the runbook never fails over (its content is transient); set allow_compliance_database: true if you mean it"},
		{name: "compliance database as the source, any case", values: map[string]any{"database": "mgc2", "source_database": "MgcComp", "dir": "d"},
			err: "logship.apply refuses MgcComp: it is Persistent Chat's compliance database, which the runbook never fails over (its content is transient); set allow_compliance_database: true if you mean it"},
		{name: "compliance database allowed", values: map[string]any{"database": "mgccomp", "dir": "d", "allow_compliance_database": true}},
	}
	typ := applyType()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := typ.Decode(tt.values)
			if err == nil {
				err = typ.Validate(p)
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Errorf("got %v\nwant %q", err, tt.err)
			}
		})
	}
}

func TestApplyPreview(t *testing.T) {
	typ := applyType()
	p, err := typ.Decode(map[string]any{"database": "mgc", "dir": `D:\LogShip\mgc`})
	if err != nil {
		t.Fatal(err)
	}
	got, err := typ.Preview(&actions.Env{Mode: actions.ModePreview}, p)
	want := `RESTORE HEADERONLY FROM DISK = @path
  for each file matching mgc_*.trn in D:\LogShip\mgc
RESTORE LOG @db FROM DISK = @path WITH FILE = @position, NORECOVERY
  @db = N'mgc'; for each log backup set of mgc that continues the chain from redo_start_lsn, in LSN order`
	if err != nil || got != want {
		t.Errorf("preview\n%s\nwant\n%s", got, want)
	}
	// Values are shown as T-SQL literals: a quote in a name is doubled.
	p, err = typ.Decode(map[string]any{"database": "mgc'x", "dir": `D:\LogShip\mgc`, "mode": "STANDBY", "undo_file": `D:\it's.tuf`})
	if err != nil {
		t.Fatal(err)
	}
	got, err = typ.Preview(&actions.Env{Mode: actions.ModePreview}, p)
	if err != nil || !strings.Contains(got, "@db = N'mgc''x';") || !strings.HasSuffix(got, "; @undo = N'D:\\it''s.tuf'") {
		t.Errorf("preview with quotes:\n%s", got)
	}
}

func TestParseHeader(t *testing.T) {
	// A row as go-mssqldb scans it into any: numeric as digits, GUIDs as
	// SQL Server's byte order, plus a column this code has never heard of.
	fork := []byte{0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0, 0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF}
	finish := time.Date(2024, 3, 1, 3, 15, 2, 0, time.UTC)
	cols := []string{"LastLSN", "SomeColumnOfSQLServer2032", "BackupName", "BackupType", "Position", "DatabaseName",
		"FirstLSN", "FirstRecoveryForkID", "RecoveryForkID", "BackupFinishDate", "BackupTypeDescription", "IsDamaged"}
	vals := []any{[]byte("1903345000083031000001"), "new", "mgc-log", int64(2), int64(3), "mgc",
		[]byte("1903345000082000000001"), fork, fork, finish, "Transaction Log", false}
	s, err := parseHeader(cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != 2 || s.Position != 3 || s.Database != "mgc" || s.FirstLSN.String() != "1903345000082000000001" ||
		s.LastLSN.String() != "1903345000083031000001" || s.FirstForkID != "6F9619FF-8B86-D011-B42D-00C04FC964FF" ||
		!s.Finish.Equal(finish) || s.TypeDesc != "Transaction Log" {
		t.Errorf("parsed %+v", s)
	}

	locked, err := parseHeader([]string{"BackupName", "Position", "FirstLSN"}, []any{"*** Password Protected ***", int64(1), nil})
	if err != nil || !locked.PasswordProtected {
		t.Errorf("password-protected row: %+v, %v", locked, err)
	}
	if _, err := parseHeader([]string{"BackupType", "Position", "DatabaseName", "FirstLSN"}, []any{int64(2), int64(1), "mgc", []byte("1")}); err == nil ||
		!strings.Contains(err.Error(), "no lastlsn column") {
		t.Errorf("a row without LastLSN: %v", err)
	}
}

func TestServerClock(t *testing.T) {
	c := serverClock{offset: 90 * time.Minute}
	local := time.Date(2024, 3, 1, 3, 45, 0, 0, time.UTC)
	if got := c.UTC(local); !got.Equal(time.Date(2024, 3, 1, 2, 15, 0, 0, time.UTC)) || c.String() != "+01:30" {
		t.Errorf("UTC(%v) = %v, offset %s", local, got, c)
	}
	if w := (serverClock{offset: -5 * time.Hour}).String(); w != "-05:00" {
		t.Errorf("offset %s", w)
	}
}

func TestJoinSQLPath(t *testing.T) {
	for dir, want := range map[string]string{
		`D:\LSCopy\mgc`:       `D:\LSCopy\mgc\x.trn`,
		`D:\LSCopy\mgc\`:      `D:\LSCopy\mgc\x.trn`,
		`\\DC1-FS01\LSBackup`: `\\DC1-FS01\LSBackup\x.trn`,
		"/var/opt/mssql/logs": "/var/opt/mssql/logs/x.trn",
	} {
		if got := joinSQLPath(dir, "x.trn"); got != want {
			t.Errorf("joinSQLPath(%q) = %q, want %q", dir, got, want)
		}
	}
}
