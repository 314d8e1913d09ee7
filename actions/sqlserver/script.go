package sqlserver

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/microsoft/go-mssqldb/batch"
)

// MaxScriptSize bounds a script file: it is read whole, and a plan's
// T-SQL is a runbook step, not a data load.
const MaxScriptSize = 16 << 20

// scriptPath resolves file against the plan's directory.
func scriptPath(planDir, file string) string {
	if filepath.IsAbs(file) || planDir == "" {
		return file
	}
	return filepath.Join(planDir, file)
}

// readScript reads a T-SQL file as SQL Server Management Studio writes
// them: UTF-8 with or without a byte order mark, or UTF-16 with one.
func readScript(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read script: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxScriptSize+1))
	if err != nil {
		return "", fmt.Errorf("read script %s: %w", path, err)
	}
	if len(data) > MaxScriptSize {
		return "", fmt.Errorf("read script %s: larger than %d MiB", path, MaxScriptSize>>20)
	}
	text, err := decodeScript(data)
	if err != nil {
		return "", fmt.Errorf("read script %s: %w", path, err)
	}
	return text, nil
}

// decodeScript turns a file's bytes into text by its byte order mark.
func decodeScript(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(data[2:], binary.LittleEndian)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data[2:], binary.BigEndian)
	}
	if !utf8.Valid(data) {
		return "", errors.New("not UTF-8 (save it as UTF-8, or as UTF-16 with a byte order mark)")
	}
	return string(data), nil
}

func decodeUTF16(data []byte, order binary.ByteOrder) (string, error) {
	if len(data)%2 != 0 {
		return "", errors.New("UTF-16 text of an odd number of bytes")
	}
	u := make([]uint16, len(data)/2)
	for i := range u {
		u[i] = order.Uint16(data[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// splitBatches splits a script on GO lines as sqlcmd does (GO n repeats
// the batch), dropping batches that hold only white space.
func splitBatches(script string) []string {
	var out []string
	for _, b := range batch.Split(script, "GO") {
		if strings.TrimSpace(b) != "" {
			out = append(out, b)
		}
	}
	return out
}

// firstLine is a batch's first non-empty line, shortened, for messages.
func firstLine(b string) string {
	for _, line := range strings.Split(b, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if utf8.RuneCountInString(line) > 60 {
				line = firstRunes(line, 57) + "…"
			}
			return line
		}
	}
	return ""
}
