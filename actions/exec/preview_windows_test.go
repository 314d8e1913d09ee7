//go:build windows

package exec

import (
	"syscall"
	"testing"
)

// TestQuoteWindowsMatchesEscapeArg checks the preview against the
// escaping Go really uses when it starts a program on Windows.
func TestQuoteWindowsMatchesEscapeArg(t *testing.T) {
	for _, s := range []string{"", "plain", `C:\Program Files\x`, `say "hi"`, `say"hi`, `D:\Log Ship\`, `a b\"c`, "a\tb", `\\srv\share`} {
		if got, want := quoteWindows(s), syscall.EscapeArg(s); got != want {
			t.Errorf("quoteWindows(%q) = %s, want %s", s, got, want)
		}
	}
}
