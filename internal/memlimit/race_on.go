//go:build race

package memlimit

// RaceEnabled is set when the tests run with -race, whose shadow memory
// needs more address space than a memory-limited child may have: tests
// that limit a child skip then.
const RaceEnabled = true
