package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain makes the test binary act as failover-lab when
// FAILOVER_LAB_TEST_MAIN is set: the tests run it as a program, and up
// re-executes it (os.Executable) as `serve` with the same environment.
func TestMain(m *testing.M) {
	if os.Getenv("FAILOVER_LAB_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// result is one run of failover-lab.
type result struct {
	stdout, stderr string
	code           int
}

// labCmd runs failover-lab (this test binary as a program) with args.
func labCmd(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FAILOVER_LAB_TEST_MAIN=1", "FAILOVER_LAB_DIR=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run failover-lab %v: %v", args, err)
	}
	return r
}

// mustLab runs failover-lab and fails the test unless it exits with want.
func mustLab(t *testing.T, want int, args ...string) result {
	t.Helper()
	r := labCmd(t, args...)
	if r.code != want {
		t.Fatalf("failover-lab %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// upLab starts a lab in a new temp dir and stops it when the test ends.
func upLab(t *testing.T, extra ...string) (string, map[string]string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lab")
	t.Cleanup(func() { labCmd(t, "down", "--dir", dir) })
	r := mustLab(t, exitOK, append([]string{"up", "--dir", dir, "--log-format", "json"}, extra...)...)
	if !strings.Contains(r.stdout, "FAILOVER_LAB_PASSWORD='***'") || strings.Contains(r.stdout, "Passw0rd") {
		t.Errorf("up printed the lab's passwords, or no lab.env:\n%s", r.stdout)
	}
	env, err := envOf(dir)
	if err != nil {
		t.Fatalf("no lab.env after up: %v", err)
	}
	return dir, env
}

// envOf reads the lab.env up wrote (the values a shell sources).
func envOf(dir string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "lab.env"))
	if err != nil {
		return nil, err
	}
	return parseEnv(string(b))
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want int
		text string // in stderr
	}{
		{name: "unknown flag", args: []string{"up", "--dir", dir, "--bogus"}, want: exitUsage, text: "unknown flag"},
		{name: "no dir", args: []string{"status"}, want: exitUsage, text: "no lab dir"},
		{name: "negative up timeout", args: []string{"up", "--dir", dir, "--timeout", "-1s"}, want: exitUsage, text: "--timeout -1s: want a positive duration"},
		{name: "zero down timeout", args: []string{"down", "--dir", dir, "--timeout", "0s"}, want: exitUsage, text: "--timeout 0s: want a positive duration"},
		{name: "bad log format", args: []string{"down", "--dir", dir, "--log-format", "xml"}, want: exitUsage, text: "log-format"},
		{name: "fault without match", args: []string{"fault", "add", "--dir", dir, "--kind", "drop"}, want: exitUsage, text: "match"},
		{name: "fault of unknown kind", args: []string{"fault", "add", "--dir", dir, "--match", "x", "--kind", "explode"}, want: exitUsage, text: "explode"},
		{name: "error fault without number", args: []string{"fault", "add", "--dir", dir, "--match", "x", "--kind", "error"}, want: exitUsage, text: "error number"},
		{name: "fault from match 0", args: []string{"fault", "add", "--dir", dir, "--match", "x", "--kind", "drop", "--nth", "0"}, want: exitUsage, text: "--nth 0"},
		{name: "fault 0 times", args: []string{"fault", "add", "--dir", dir, "--match", "x", "--kind", "drop", "--times", "0"}, want: exitUsage, text: "--times 0"},
		{name: "error number on a drop fault", args: []string{"fault", "add", "--dir", dir, "--match", "x", "--kind", "drop", "--error", "1205"}, want: exitUsage, text: "--error goes with --kind error"},
		{name: "clear unknown fault", args: []string{"fault", "clear", "--dir", dir, "f9"}, want: exitUsage, text: "no fault"},
		{name: "env for fish", args: []string{"env", "--dir", dir, "--shell", "fish"}, want: exitUsage, text: "unknown shell"},
		{name: "status of a new dir", args: []string{"status", "--dir", dir}, want: exitNotRunning},
		{name: "env before up", args: []string{"env", "--dir", dir}, want: exitFailed, text: "has not been up"},
		{name: "fault in a dir that does not exist", args: []string{"fault", "add", "--dir", filepath.Join(dir, "nosuch"), "--match", "x", "--kind", "drop"},
			want: exitFailed, text: "no lab dir here (failover-lab up --dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustLab(t, tt.want, tt.args...)
			if !strings.Contains(r.stderr, tt.text) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.text)
			}
		})
	}
}

func TestFaultCommands(t *testing.T) {
	dir := t.TempDir()
	r := mustLab(t, exitOK, "fault", "add", "--dir", dir, "--match", `sys\.databases`, "--kind", "error", "--error", "1205", "--times", "2")
	if !strings.Contains(r.stdout, "f1: error 1205") {
		t.Errorf("fault add printed %q", r.stdout)
	}
	mustLab(t, exitOK, "fault", "add", "--dir", dir, "--match", "RESTORE LOG", "--kind", "delay", "--delay", "2s", "--instance", "BACKUP", "--id", "slow")
	r = mustLab(t, exitOK, "fault", "list", "--dir", dir)
	if !strings.Contains(r.stdout, "f1: error 1205") || !strings.Contains(r.stdout, "slow: delay 2s") || !strings.Contains(r.stdout, "at BACKUP") {
		t.Errorf("fault list:\n%s", r.stdout)
	}
	mustLab(t, exitOK, "fault", "clear", "--dir", dir, "f1")
	if r = mustLab(t, exitOK, "fault", "list", "--dir", dir); strings.Contains(r.stdout, "f1") {
		t.Errorf("f1 still listed after clear:\n%s", r.stdout)
	}
	mustLab(t, exitOK, "fault", "clear", "--dir", dir)
	if r = mustLab(t, exitOK, "fault", "list", "--dir", dir); !strings.Contains(r.stdout, "no faults") {
		t.Errorf("faults listed after clearing all:\n%s", r.stdout)
	}
}

func TestUpStatusDown(t *testing.T) {
	dir, env := upLab(t)
	for _, key := range []string{"FAILOVER_LAB_PRIMARY_DSN", "FAILOVER_LAB_BACKUP_DSN", "FAILOVER_LAB_BACKUP_MIRROR_DSN", "FAILOVER_LAB_SHARE", "FAILOVER_LAB_COPY_DIR"} {
		if env[key] == "" {
			t.Errorf("up printed no %s", key)
		}
	}
	if env["FAILOVER_LAB_DIR"] != dir {
		t.Errorf("FAILOVER_LAB_DIR = %q, want %q", env["FAILOVER_LAB_DIR"], dir)
	}
	for _, f := range []string{"lab.pid", "lab.log", "lab.env", "targets.yaml", "lab.vars.yaml", "lab.run.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("after up: %v", err)
		}
	}
	pid := readPIDFile(t, dir)
	r := mustLab(t, exitOK, "status", "--dir", dir)
	if !strings.Contains(r.stdout, "running (pid "+strconv.Itoa(pid)) || strings.Count(r.stdout, "accepting connections") != 3 || !strings.Contains(r.stdout, "  BACKUP_MIRROR 127.0.0.1:") ||
		!strings.Contains(r.stdout, "time zone: Europe/Berlin") || !strings.Contains(r.stdout, `\\DC1-FS01\LSBackup`) {
		t.Errorf("status:\n%s", r.stdout)
	}
	r = mustLab(t, exitOK, "up", "--dir", dir)
	if readPIDFile(t, dir) != pid || !strings.Contains(r.stderr, "already running") {
		t.Errorf("a second up started another lab (pid %d, was %d): %s", readPIDFile(t, dir), pid, r.stderr)
	}
	if e := mustLab(t, exitOK, "env", "--dir", dir); !strings.Contains(e.stdout, "Passw0rd") || strings.Contains(r.stdout, "Passw0rd") {
		t.Errorf("env (for a shell: the values) printed\n%s\nup (on a terminal: passwords masked) printed\n%s", e.stdout, r.stdout)
	}
	mustLab(t, exitOK, "down", "--dir", dir)
	if processAlive(pid) {
		t.Errorf("lab process %d still runs after down", pid)
	}
	if _, err := os.Stat(filepath.Join(dir, "lab.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lab.pid after down: %v", err)
	}
	mustLab(t, exitNotRunning, "status", "--dir", dir)
	mustLab(t, exitOK, "down", "--dir", dir) // idempotent
}

func TestDownRemovesStalePIDFile(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lab.pid"), []byte(strconv.Itoa(dead.ProcessState.Pid())), 0o644); err != nil {
		t.Fatal(err)
	}
	mustLab(t, exitOK, "down", "--dir", dir)
	if _, err := os.Stat(filepath.Join(dir, "lab.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale lab.pid after down: %v", err)
	}
}

// TestUpReportsADyingLab breaks the lab's config after init: the
// background process fails, and up must say why, from lab.log.
func TestUpReportsADyingLab(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	t.Cleanup(func() { labCmd(t, "down", "--dir", dir) })
	mustLab(t, exitOK, "up", "--dir", dir)
	mustLab(t, exitOK, "down", "--dir", dir)
	if err := os.WriteFile(filepath.Join(dir, "lab.yaml"), []byte("instances: [{name: PRIMARY, unknown_key: 1}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustLab(t, exitFailed, "up", "--dir", dir, "--timeout", "20s")
	if !strings.Contains(r.stderr, "exited") || !strings.Contains(r.stderr, "unknown_key") {
		t.Errorf("up's error does not show the lab's failure:\n%s", r.stderr)
	}
}

func readPIDFile(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "lab.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestServeRefusesARunningLab: a second serve (even with --reset) must
// neither start nor wipe the dir of a running lab.
func TestServeRefusesARunningLab(t *testing.T) {
	dir, _ := upLab(t)
	pid := readPIDFile(t, dir)
	r := mustLab(t, exitFailed, "serve", "--dir", dir, "--reset")
	if !strings.Contains(r.stderr, "already runs as pid") {
		t.Errorf("second serve: %s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "lab.yaml")); err != nil || readPIDFile(t, dir) != pid {
		t.Errorf("the running lab's dir changed: %v, pid %d (was %d)", err, readPIDFile(t, dir), pid)
	}
	mustLab(t, exitOK, "status", "--dir", dir)
}

// TestDownLeavesAStrangerAlone: lab.pid names a live process that is not
// a lab (a reused pid); down must not signal it.
func TestDownLeavesAStrangerAlone(t *testing.T) {
	dir := t.TempDir()
	stranger := exec.Command(os.Args[0], "-test.run=^TestHelperSleep$")
	stranger.Env = append(os.Environ(), "FAILOVER_LAB_TEST_SLEEP=1")
	if err := stranger.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stranger.Process.Kill(); stranger.Wait() })
	if err := os.WriteFile(filepath.Join(dir, "lab.pid"), []byte(strconv.Itoa(stranger.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustLab(t, exitFailed, "down", "--dir", dir, "--timeout", "300ms")
	if !strings.Contains(r.stderr, "not a lab") || !processAlive(stranger.Process.Pid) {
		t.Errorf("down against a stranger: %q, stranger alive %v", r.stderr, processAlive(stranger.Process.Pid))
	}
}

// TestHelperSleep is the stranger of TestDownLeavesAStrangerAlone.
func TestHelperSleep(t *testing.T) {
	if os.Getenv("FAILOVER_LAB_TEST_SLEEP") != "1" {
		t.Skip("helper process")
	}
	time.Sleep(time.Minute)
}

// TestConcurrentUps: two ups of one new dir at once start one lab, and
// both print its lab.env.
func TestConcurrentUps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	t.Cleanup(func() { labCmd(t, "down", "--dir", dir) })
	results := make(chan result, 2)
	for range 2 {
		go func() {
			cmd := exec.Command(os.Args[0], "up", "--dir", dir)
			cmd.Env = append(os.Environ(), "FAILOVER_LAB_TEST_MAIN=1")
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			code := 0
			if err != nil {
				code = -1
			}
			results <- result{stdout: out.String(), stderr: errOut.String(), code: code}
		}()
	}
	a, b := <-results, <-results
	if a.code != 0 || b.code != 0 {
		t.Fatalf("concurrent ups: exit %d and %d\n%s\n%s", a.code, b.code, a.stderr, b.stderr)
	}
	if a.stdout != b.stdout || !strings.Contains(a.stdout, "FAILOVER_LAB_BACKUP_DSN") {
		t.Errorf("the two ups printed different lab.env:\n%s\n%s", a.stdout, b.stdout)
	}
	if !strings.Contains(a.stderr+b.stderr, "already running") {
		t.Errorf("neither up found the other's lab:\n%s\n%s", a.stderr, b.stderr)
	}
}

// TestVersion: --version names the build, as failover's does.
func TestVersion(t *testing.T) {
	r := mustLab(t, exitOK, "--version")
	if !strings.HasPrefix(r.stdout, "failover-lab version ") {
		t.Errorf("--version printed %q", r.stdout)
	}
}
