package fs

import (
	"errors"
	"fmt"
	"strings"
)

// maxParallel bounds parallel: more workers than this only queue on the
// disk or the share.
const maxParallel = 64

// validateCopy checks fs.copy's params: both directories given and not
// nested (as written; the run checks again with links followed), the
// patterns relative globs inside from, parallel and the timeout sane.
func validateCopy(p *CopyParams) error {
	switch {
	case strings.TrimSpace(p.From) == "":
		return errors.New("from must not be empty")
	case strings.TrimSpace(p.To) == "":
		return errors.New("to must not be empty")
	case p.Parallel < 1 || p.Parallel > maxParallel:
		return fmt.Errorf("parallel must be from 1 to %d, got %d", maxParallel, p.Parallel)
	case p.SourceTimeout <= 0:
		return fmt.Errorf("source_timeout must be positive, got %s", p.SourceTimeout)
	}
	if err := checkLexicalNesting(p.From, p.To); err != nil {
		return err
	}
	for i, pat := range p.Include {
		if err := checkPattern("include", i, pat); err != nil {
			return err
		}
	}
	for i, pat := range p.Exclude {
		if err := checkPattern("exclude", i, pat); err != nil {
			return err
		}
	}
	return nil
}
