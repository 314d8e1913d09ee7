//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copyFromOutputsPlan has fs.copy take its from and to from the outputs
// of two earlier steps: exec.run steps that print a directory, as a
// runbook takes the share from logship.remove's snapshot.
const copyFromOutputsPlan = `  - id: share
    action: exec.run
    with: { program: /bin/sh, args: ["-c", 'printf "%%s\n" "$0"', '%s'] }
  - id: dest
    action: exec.run
    with: { program: /bin/sh, args: ["-c", 'printf "%%s\n" "$0"', '%s'] }
  - id: copy
    action: fs.copy
    needs: [share, dest]
    with: { from: '${steps.share.outputs.stdout}', to: '${steps.dest.outputs.stdout}', include: ['*.trn'] }
`

// TestCopyFromStepOutputs: fs.copy's from and to may come from step
// outputs: the directories the earlier steps printed are the ones
// copied from and into. Directories that turn out nested are refused
// at run time, naming them, and nothing is copied.
func TestCopyFromStepOutputs(t *testing.T) {
	tests := []struct {
		name     string
		dest     func(share, other string) string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"copied into the printed destination", func(_, other string) string { return filepath.Join(other, "copy") }, exitOK,
			`copy +succeeded`, ""},
		{"a destination inside the printed share is refused", func(share, _ string) string { return filepath.Join(share, "copy") }, exitFailed,
			`copy +failed`, "is inside from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			share, other := t.TempDir(), t.TempDir()
			want := map[string]string{"mgc_20261203104500.trn": "log one", "mgc_20261203105000.trn": "log two"}
			for name, content := range want {
				if err := os.WriteFile(filepath.Join(share, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(share, "mgc_full.bak"), []byte("not included"), 0o644); err != nil {
				t.Fatal(err)
			}
			dest := tt.dest(share, other)
			_, plan := writePlan(t, fmt.Sprintf(copyFromOutputsPlan, share, dest))
			code, out, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json")
			if code != tt.wantCode {
				t.Fatalf("apply: exit %d, want %d\n%s\n%s", code, tt.wantCode, out, stderr)
			}
			if !regexp.MustCompile(tt.wantOut).MatchString(out) {
				t.Errorf("output lacks %s:\n%s", tt.wantOut, out)
			}
			if tt.wantErr != "" {
				if !strings.Contains(out+stderr, tt.wantErr) || !strings.Contains(out+stderr, dest) {
					t.Errorf("the refusal does not say %q naming %s:\n%s\n%s", tt.wantErr, dest, out, stderr)
				}
				if _, err := os.Stat(dest); err == nil {
					t.Errorf("%s was created although the copy was refused", dest)
				}
				return
			}
			got := map[string]string{}
			entries, err := os.ReadDir(dest)
			if err != nil {
				t.Fatalf("the destination the step printed: %v", err)
			}
			for _, e := range entries {
				b, _ := os.ReadFile(filepath.Join(dest, e.Name()))
				got[e.Name()] = string(b)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s holds %v, want %v", dest, got, want)
			}
		})
	}
}
