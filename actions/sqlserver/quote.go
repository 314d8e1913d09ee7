package sqlserver

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameLength is the length of sysname, SQL Server's type of names.
const MaxNameLength = 128

// CheckName reports whether name can be a SQL Server name (a database,
// a login): not empty, at most 128 characters, no NUL. Any other
// character is fine: QuoteName makes it literal.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("name must not be empty")
	case !utf8.ValidString(name):
		return fmt.Errorf("name %q is not valid UTF-8", name)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("name %q holds a NUL character", name)
	case utf8.RuneCountInString(name) > MaxNameLength:
		return fmt.Errorf("name %q… is %d characters long, more than the %d of sysname", firstRunes(name, 20), utf8.RuneCountInString(name), MaxNameLength)
	}
	return nil
}

// QuoteName quotes name by the bracket rule, as T-SQL's QUOTENAME does:
// [name] with every ] doubled, so that whatever name holds is read as
// one name. It is for the few places that take no parameter (ALTER
// DATABASE, USE); everything else is sent as a parameter. It fails on a
// name CheckName refuses.
func QuoteName(name string) (string, error) {
	if err := CheckName(name); err != nil {
		return "", err
	}
	return "[" + strings.ReplaceAll(name, "]", "]]") + "]", nil
}

// firstRunes returns the first n characters of s.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
