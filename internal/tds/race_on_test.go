//go:build race

package tds

// raceEnabled is set when the tests run with -race, whose shadow memory
// needs more address space than a memory-limited child may have.
const raceEnabled = true
