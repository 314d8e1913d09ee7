package journal

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var testStart = time.Date(2026, 11, 26, 3, 15, 0, 0, time.UTC)

func testHeader() Header {
	return Header{
		PlanName: "pchat-failover-dc2", PlanHash: "sha256:abc", RunID: "20261126T031500Z-3f9a",
		User: "ops", Host: "dc2-admin01", PlanFile: "plans/dc2/pchat-failover.yaml",
		StepHashes: map[string]string{"remove-log-shipping": "h1", "copy-backups": "h2"},
		Started:    testStart,
	}
}

func testRecord(i int) Record {
	types := []string{"step-started", "step-succeeded"}
	return Record{Type: types[i%2], Step: "step-" + string(rune('a'+i%26)), Attempt: 1 + i%3,
		Time: testStart.Add(time.Duration(i) * time.Second)}
}

// writeJournal creates a journal at path with n records, each synced, and
// returns the records as Append returned them.
func writeJournal(t testing.TB, fsys FS, path string, n int) []Record {
	t.Helper()
	w, err := Create(fsys, path, testHeader())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	var recs []Record
	for i := range n {
		r, err := w.AppendSync(testRecord(i))
		if err != nil {
			t.Fatalf("AppendSync %d: %v", i, err)
		}
		recs = append(recs, r)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return recs
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan", "run.journal")
	want := writeJournal(t, OSFS{}, path, 5)
	rp, err := Read(OSFS{}, path)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	wantHeader := testHeader()
	wantHeader.FormatVersion = FormatVersion
	if !reflect.DeepEqual(rp.Header, wantHeader) {
		t.Errorf("header = %+v, want %+v", rp.Header, wantHeader)
	}
	if !reflect.DeepEqual(rp.Records, want) {
		t.Errorf("records = %+v, want %+v", rp.Records, want)
	}
	if rp.Damage != nil {
		t.Errorf("Damage = %+v, want nil", rp.Damage)
	}
	for i, r := range rp.Records {
		if r.Seq != uint64(i+1) {
			t.Errorf("record %d has seq %d, want %d", i, r.Seq, i+1)
		}
	}
}

func TestOutputsKeepPlanValueTypes(t *testing.T) {
	fsys := newMemFS()
	w, err := Create(fsys, "s/p/r.journal", testHeader())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{
		"exit_code": 3, "ratio": 0.5, "big": int64(1) << 60, "text": "ok\n", "none": nil,
		"list": []any{1, "x"}, "map": map[string]any{"n": 2}, "huge": 1e300,
	}
	if _, err := w.AppendSync(Record{Type: "step-succeeded", Step: "a", Outputs: out}); err != nil {
		t.Fatal(err)
	}
	rp, err := Read(fsys, "s/p/r.journal")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"exit_code": int64(3), "ratio": 0.5, "big": int64(1) << 60, "text": "ok\n", "none": nil,
		"list": []any{int64(1), "x"}, "map": map[string]any{"n": int64(2)}, "huge": 1e300,
	}
	if got := rp.Records[0].Outputs; !reflect.DeepEqual(got, want) {
		t.Errorf("outputs = %#v, want %#v", got, want)
	}
}

func TestAppendSetsSeqAndTime(t *testing.T) {
	w, err := Create(newMemFS(), "s/p/r.journal", testHeader())
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC()
	r, err := w.Append(Record{Type: "run-started", Seq: 99})
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 1 {
		t.Errorf("Seq = %d, want 1 (Append assigns it)", r.Seq)
	}
	if r.Time.Before(before) || r.Time.Location() != time.UTC {
		t.Errorf("Time = %v, want a UTC time not before %v", r.Time, before)
	}
}

func TestAppendRefusesOversizedRecord(t *testing.T) {
	fsys := newMemFS()
	w, err := Create(fsys, "s/p/r.journal", testHeader())
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", MaxRecordSize)
	if _, err := w.Append(Record{Type: "step-succeeded", Note: big}); err == nil {
		t.Fatal("Append of an oversized record succeeded")
	}
	// Nothing was written, so the Writer is not poisoned.
	r, err := w.AppendSync(Record{Type: "step-succeeded"})
	if err != nil || r.Seq != 1 {
		t.Fatalf("Append after refusal = seq %d, %v; want seq 1, nil", r.Seq, err)
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	fsys := newMemFS()
	writeJournal(t, fsys, "s/p/r.journal", 1)
	_, err := Create(fsys, "s/p/r.journal", testHeader())
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing journal: err = %v, want fs.ErrExist", err)
	}
}

func TestCreateSyncsDirectories(t *testing.T) {
	fsys := newMemFS()
	if _, err := Create(fsys, "s/p/r.journal", testHeader()); err != nil {
		t.Fatal(err)
	}
	if fsys.dirSyncs != 2 {
		t.Errorf("directory syncs = %d, want 2 (the plan dir and the state dir)", fsys.dirSyncs)
	}
	if _, syncs := fsys.counts(); syncs != 1 {
		t.Errorf("file syncs = %d, want 1 (the header)", syncs)
	}
}

func TestAppendAfterClose(t *testing.T) {
	w, err := Create(newMemFS(), "s/p/r.journal", testHeader())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Append(Record{Type: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: err = %v, want ErrClosed", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenAppendsAfterLastRecord(t *testing.T) {
	fsys := newMemFS()
	writeJournal(t, fsys, "s/p/r.journal", 3)
	w, rp, err := Open(fsys, "s/p/r.journal")
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Records) != 3 || rp.Damage != nil {
		t.Fatalf("Open replay: %d records, damage %+v; want 3, nil", len(rp.Records), rp.Damage)
	}
	r, err := w.AppendSync(Record{Type: "run-resumed"})
	if err != nil || r.Seq != 4 {
		t.Fatalf("AppendSync after Open = seq %d, %v; want seq 4", r.Seq, err)
	}
	rp, err = Read(fsys, "s/p/r.journal")
	if err != nil || len(rp.Records) != 4 || rp.Records[3].Type != "run-resumed" {
		t.Fatalf("Read after resume: %+v, %v", rp, err)
	}
}

func TestReadErrors(t *testing.T) {
	good := newMemFS()
	writeJournal(t, good, "j", 1)
	valid, _ := good.ReadFile("j")
	tests := []struct {
		name    string
		content []byte
		want    string
		corrupt bool
	}{
		{name: "not a journal", content: []byte("hello, world"), want: "not a failover journal"},
		{name: "empty file", content: nil, want: "torn journal header", corrupt: true},
		{name: "torn magic", content: []byte("FOJR"), want: "torn journal header", corrupt: true},
		{name: "older version", content: []byte("FOJRNL01rest"), want: "journal format 01 was written by an older failover (this release reads format 02)"},
		{name: "newer version", content: []byte("FOJRNL03rest"), want: "journal format 03 was written by a newer failover"},
		{name: "torn header frame", content: valid[:20], want: "header at offset 8", corrupt: true},
		{name: "missing", content: nil, want: "file does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := newMemFS()
			if tt.name != "missing" {
				fsys.set("j", tt.content)
			}
			_, err := Read(fsys, "j")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read: err = %v, want one containing %q", err, tt.want)
			}
			if errors.Is(err, ErrCorrupt) != tt.corrupt {
				t.Errorf("errors.Is(err, ErrCorrupt) = %v, want %v", !tt.corrupt, tt.corrupt)
			}
		})
	}
}

func TestRunIDs(t *testing.T) {
	id := NewRunID(time.Date(2026, 11, 26, 4, 15, 0, 0, time.FixedZone("CET", 3600)))
	if !strings.HasPrefix(id, "20261126T031500Z-") || !ValidRunID(id) {
		t.Errorf("NewRunID = %q, want 20261126T031500Z-xxxx in UTC", id)
	}
	for _, bad := range []string{"", "../../etc/passwd", "20261126T031500Z-3F9A", "20261126T031500Z-3f9a.journal"} {
		if ValidRunID(bad) {
			t.Errorf("ValidRunID(%q) = true", bad)
		}
	}
	if got, want := Path("state", "p", id), filepath.Join("state", "p", id+".journal"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
}

// TestStepCostsUnderOneKilobyte: a step's start and outcome records, with
// typical small outputs, take under 1 KB of journal.
func TestStepCostsUnderOneKilobyte(t *testing.T) {
	w, err := Create(newMemFS(), "s/p/j", testHeader())
	if err != nil {
		t.Fatal(err)
	}
	before := w.written
	step := "set-persistent-chat-pool-state-failed-over"
	recs := []Record{
		{Type: "step-started", Step: step, Attempt: 3},
		{Type: "step-succeeded", Step: step, Attempt: 3,
			Outputs: map[string]any{"exit_code": 0, "stdout": "PoolState : FailedOver\r\n", "stderr": ""}},
	}
	for _, r := range recs {
		if _, err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.written - before; n >= 1024 {
		t.Errorf("one step took %d bytes of journal, want under 1024", n)
	}
}
