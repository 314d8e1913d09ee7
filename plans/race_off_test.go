//go:build !race

package plans

const raceEnabled = false
