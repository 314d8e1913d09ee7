package engine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// The messages an operator acts on name where to look and what to type.
func TestOperatorMessages(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T) error
		want []string
	}{
		{"missing secrets name their declaration, once each", func(t *testing.T) error {
			p := newPlan(step("a", nil, map[string]any{"echo": "${secrets.pw} ${env.SITE} ${secrets.pw} ${env.SITE}"}))
			p.Secrets["pw"] = &plans.Secret{Name: "pw", Env: "PW", Pos: plans.Pos{File: "test.yaml", Line: 4, Col: 3}}
			p.Steps[0].With.Map["echo"].Parts[2].Ref.Pos = plans.Pos{File: "test.yaml", Line: 9, Col: 20}
			_, err := Run(context.Background(), testConfig(t, p, newRecorder()))
			return err
		}, []string{"2 missing, nothing ran:\n  test.yaml:4:3: secret pw: environment variable PW is not set",
			"\n  test.yaml:9:20: environment variable SITE is not set"}},
		{"preflight failures name line and column", func(t *testing.T) error {
			p := newPlan(step("a", nil, nil))
			c := chk(map[string]any{"pass": false, "key": "x"})
			c.Pos.Col = 7
			p.Preflight = []*plans.Check{c}
			_, err := Run(context.Background(), testConfig(t, p, newRecorder()))
			return err
		}, []string{"\n  test.yaml:2:7: test.check: "}},
		{"in-doubt parameters read as written", func(t *testing.T) error {
			cfg := testConfig(t, newPlan(step("a", nil, map[string]any{"cmd": "echo a >> ledger && true"})), newRecorder())
			crashedRun(t, cfg, started("a"))
			_, err := Resume(context.Background(), cfg, ResumeOptions{})
			return err
		}, []string{`"cmd":"echo a >> ledger && true"`, "failover resume test.yaml --retry a"}},
		{"an in-doubt step whose skip_if cannot be evaluated is left to the operator", func(t *testing.T) error {
			a := step("a", nil, nil)
			a.SkipIf = []*plans.Check{chk(map[string]any{"no_such_param": 1})}
			cfg := testConfig(t, newPlan(a), newRecorder())
			crashedRun(t, cfg, started("a"))
			_, err := Resume(context.Background(), cfg, ResumeOptions{})
			if ExitCode(err) != ExitWaiting {
				t.Errorf("exit %d, want %d", ExitCode(err), ExitWaiting)
			}
			return err
		}, []string{"step a (test.act) is in doubt", "its skip_if could not be evaluated: check test.check: "}},
		{"a failed step names its target and position", func(t *testing.T) error {
			a := step("a", nil, map[string]any{"fail": 1})
			a.Target, a.Pos.Col = "db", 5
			p := newPlan(a)
			p.Targets["db"] = &plans.Target{Name: "db", Type: "test", Fields: map[string]*plans.Value{}}
			_, err := Run(context.Background(), testConfig(t, p, newRecorder()))
			return err
		}, []string{"step a failed after 1 attempt(s) (target db, test.yaml:1:5): "}},
		{"a step failed by its require says no action ran", func(t *testing.T) error {
			a := step("a", nil, nil)
			a.Require = []*plans.Check{chk(map[string]any{"pass": false, "key": "ready"})}
			_, err := Run(context.Background(), testConfig(t, newPlan(a), newRecorder()))
			return err
		}, []string{"step a failed before its action ran (test.yaml:1): require test.check not met"}},
		{"resume of a run that is not there names it", func(t *testing.T) error {
			cfg := testConfig(t, newPlan(step("a", nil, nil)), newRecorder())
			_, err := Resume(context.Background(), cfg, ResumeOptions{RunID: "20261126T010000Z-0000"})
			if ExitCode(err) != ExitCannotRun {
				t.Errorf("exit %d, want %d", ExitCode(err), ExitCannotRun)
			}
			return err
		}, []string{"no run 20261126T010000Z-0000 of plan test-plan in "}},
		{"--approve of a step that is not there", func(t *testing.T) error {
			cfg := testConfig(t, newPlan(step("a", nil, nil)), newRecorder())
			cfg.Approve = []string{"gate"}
			_, err := Run(context.Background(), cfg)
			if ExitCode(err) != ExitCannotRun {
				t.Errorf("exit %d, want %d", ExitCode(err), ExitCannotRun)
			}
			return err
		}, []string{"--approve gate: no such step in plan test-plan"}},
		{"a state dir that cannot hold the lock: nothing ran", func(t *testing.T) error {
			rc := newRecorder()
			cfg := testConfig(t, newPlan(step("a", nil, nil)), rc)
			cfg.StateDir = filepath.Join(cfg.StateDir, "file")
			if err := os.WriteFile(cfg.StateDir, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Run(context.Background(), cfg)
			if ExitCode(err) != ExitCannotRun || rc.count("a") != 0 {
				t.Errorf("exit %d, a ran %d times; want exit %d, not run", ExitCode(err), rc.count("a"), ExitCannotRun)
			}
			return err
		}, []string{"lock plan test-plan: "}},
		{"an interrupted run says how to resume it", func(t *testing.T) error {
			rc := newRecorder()
			ctx, cancel := context.WithCancel(context.Background())
			rc.onStart = func(string) { cancel() }
			_, err := Run(ctx, testConfig(t, newPlan(step("a", nil, map[string]any{"block": true})), rc))
			return err
		}, []string{"interrupted; continue it with `failover resume test.yaml`"}},
		{"an interrupted preflight has nothing to resume", func(t *testing.T) error {
			p := newPlan(step("a", nil, nil))
			p.Preflight = []*plans.Check{chk(map[string]any{"pass": true})}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := Run(ctx, testConfig(t, p, newRecorder()))
			return err
		}, []string{"interrupted before any step ran; nothing to resume"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// A corrupt journal that is not a torn tail is refused with the commands
// to inspect and repair it, for that very run.
func TestCorruptJournalHintNamesTheRun(t *testing.T) {
	err := readHint("state/p/20261126T020000Z-abcd.journal",
		&journal.CorruptError{Path: "state/p/20261126T020000Z-abcd.journal", Offset: 90, Reason: "checksum mismatch"})
	for _, w := range []string{"`failover journal dump 20261126T020000Z-abcd`", "`failover journal repair 20261126T020000Z-abcd --force`"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("hint lacks %q: %v", w, err)
		}
	}
	if !errors.Is(err, journal.ErrCorrupt) {
		t.Errorf("hint does not wrap ErrCorrupt: %v", err)
	}
}

// TestRedactShortSecretsAsWholeWords: a secret of fewer than four
// characters is masked where it stands alone, not inside every word; a
// longer one everywhere, a multi-line one whole.
func TestRedactShortSecretsAsWholeWords(t *testing.T) {
	rd := newRedactor(map[string]string{"pin": "42", "one": "a", "pw": "s3cret-pw", "cert": "line1\nline2"})
	tests := []struct{ in, want string }{
		{"pin 42 at 1042 and x42 and 42x", "pin *** at 1042 and x42 and 42x"},
		{"a cat ate a banana", "*** cat ate *** banana"},
		{"password=s3cret-pw; again s3cret-pwX", "password=***; again ***X"},
		{"BEGIN\nline1\nline2\nEND", "BEGIN\n***\nEND"},
		{"(42)", "(***)"},
	}
	for _, tt := range tests {
		if got := rd.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := shortSecrets(map[string]string{"pin": "42", "pw": "s3cret-pw", "empty": ""}); len(got) != 1 || got[0] != "pin" {
		t.Errorf("shortSecrets = %v, want [pin]", got)
	}
}

// TestSecretFileMustBeARegularFile: a secret file that is a device or a
// pipe (file: /dev/zero) is refused at once, not read forever.
func TestSecretFileMustBeARegularFile(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	p := newPlan(step("a", nil, map[string]any{"echo": "${secrets.key}"}))
	p.Secrets["key"] = &plans.Secret{Name: "key", File: "/dev/zero"}
	cfg := testConfig(t, p, newRecorder())
	cfg.ReadFile = nil // the default reader
	_, err := Run(context.Background(), cfg)
	if ExitCode(err) != ExitCannotRun || !strings.Contains(err.Error(), "/dev/zero") {
		t.Fatalf("Run: %v, want the secret file refused", err)
	}
}

// TestShortSecretIsWarnedOfByName: a run whose secret is shorter than
// four characters says so at WARN, naming the secret, never its value.
func TestShortSecretIsWarnedOfByName(t *testing.T) {
	p := newPlan(step("a", nil, map[string]any{"echo": "${secrets.pin}"}))
	p.Secrets["pin"] = &plans.Secret{Name: "pin", Env: "LAB_PIN"}
	cfg := testConfig(t, p, newRecorder())
	cfg.LookupEnv = func(k string) (string, bool) { return map[string]string{"LAB_PIN": "4x2"}[k], k == "LAB_PIN" }
	var log bytes.Buffer
	cfg.Log = zerolog.New(&log)
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	var warned bool
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if strings.Contains(line, `"level":"warn"`) && strings.Contains(line, `"secret":"pin"`) &&
			strings.Contains(line, "shorter than 4 characters") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning naming the short secret pin:\n%s", log.String())
	}
	if strings.Contains(log.String(), "4x2") {
		t.Errorf("the log holds the secret's value:\n%s", log.String())
	}
}
