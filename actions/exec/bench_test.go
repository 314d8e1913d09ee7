package exec

import (
	"bytes"
	"context"
	osexec "os/exec"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/rs/zerolog"
)

// BenchmarkRunTrue measures one exec.run attempt of `true`: lookup,
// process group set-up, start, output capture, wait and group release.
func BenchmarkRunTrue(b *testing.B) {
	if _, err := osexec.LookPath("true"); err != nil {
		b.Skip("no true program on this system")
	}
	env := &actions.Env{Log: zerolog.Nop()}
	p := &Params{Program: "true", MaxOutput: DefaultMaxOutput}
	for b.Loop() {
		if _, err := run(context.Background(), env, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOsExecTrue is the baseline: os/exec running `true` alone.
func BenchmarkOsExecTrue(b *testing.B) {
	if _, err := osexec.LookPath("true"); err != nil {
		b.Skip("no true program on this system")
	}
	for b.Loop() {
		if err := osexec.Command("true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOsExecTrueCaptured is os/exec running `true` with stdout and
// stderr captured through pipes, as exec.run does.
func BenchmarkOsExecTrueCaptured(b *testing.B) {
	if _, err := osexec.LookPath("true"); err != nil {
		b.Skip("no true program on this system")
	}
	for b.Loop() {
		var out, errOut bytes.Buffer
		cmd := osexec.Command("true")
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
