//go:build !race

package tds

const raceEnabled = false
