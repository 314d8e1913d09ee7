//go:build !unix

package engine

// runHelper: the tests that spawn helpers run on Unix only.
func runHelper(string) int { return 2 }
