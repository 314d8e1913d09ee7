package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"

	"github.com/failover-dev/failover/actions"
)

// ExistsParams are the parameters of fs.exists.
type ExistsParams struct {
	Path    string `param:"path,required" doc:"File or directory to look at: a local path, a Windows path such as D:\\LogShip\\mgc, or a UNC share such as \\\\dc1-sql01\\logship."`
	Type    string `param:"type,enum=any|file|dir" default:"any" doc:"What the path must be: any, file (a regular file) or dir."`
	MinSize int64  `param:"min_size" doc:"Smallest size in bytes the file must have; needs a file."`
	Absent  bool   `param:"absent" doc:"Pass when the path does NOT exist instead."`
}

// existsCheck is fs.exists.
type existsCheck struct{}

func existsType() *actions.Type {
	return actions.Define[ExistsParams](actions.Type{
		Name: "fs.exists",
		Kind: actions.KindCheck,
		Doc: "Passes when a path exists (as a file or directory if `type` says so, and at least " +
			"`min_size` bytes large), or with `absent: true` when it does not exist. Paths are " +
			"taken as written: Windows paths and UNC shares are valid in any plan, and are looked at " +
			"on the machine that runs the step. An error other than \"not found\" (no permission, " +
			"share unreachable) is an error, not a failed check.",
	}, existsCheck{})
}

// Preview says what is looked at.
func (existsCheck) Preview(_ *actions.Env, p *ExistsParams) (string, error) {
	if p.Absent {
		return "check that " + p.Path + " does not exist", nil
	}
	return "check that " + p.Path + " exists", nil
}

// Validate checks the params' cross-field rules.
func (existsCheck) Validate(p *ExistsParams) error {
	return validateExists(p)
}

// Check evaluates fs.exists once.
func (existsCheck) Check(ctx context.Context, env *actions.Env, p *ExistsParams) (actions.Result, error) {
	ok, detail, err := exists(ctx, env, p)
	return actions.Result{OK: ok, Detail: detail}, err
}

func validateExists(p *ExistsParams) error {
	switch {
	case p.Path == "":
		return errors.New("path must not be empty")
	case p.MinSize < 0:
		return fmt.Errorf("min_size must not be negative, got %d", p.MinSize)
	case p.Absent && (p.MinSize > 0 || p.Type != "any" && p.Type != ""):
		return errors.New("absent: true excludes type and min_size")
	case p.MinSize > 0 && p.Type == "dir":
		return errors.New("min_size applies to files, not to type: dir")
	}
	return nil
}

// exists looks at the path.
func exists(_ context.Context, _ *actions.Env, p *ExistsParams) (bool, string, error) {
	fi, err := os.Stat(p.Path)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		if p.Absent {
			return true, p.Path + " does not exist", nil
		}
		return false, p.Path + " does not exist", nil
	case err != nil:
		return false, "", fmt.Errorf("look at %s: %w", p.Path, err)
	case p.Absent:
		return false, fmt.Sprintf("%s exists (%s)", p.Path, describe(fi)), nil
	}
	return judge(p, fi)
}

// judge compares what is at the path with what the params want.
func judge(p *ExistsParams, fi iofs.FileInfo) (bool, string, error) {
	what := describe(fi)
	switch {
	case p.Type == "file" && !fi.Mode().IsRegular():
		return false, fmt.Sprintf("%s is %s, want a file", p.Path, what), nil
	case p.Type == "dir" && !fi.IsDir():
		return false, fmt.Sprintf("%s is %s, want a directory", p.Path, what), nil
	case p.MinSize > 0 && !fi.Mode().IsRegular():
		return false, fmt.Sprintf("%s is %s, want a file of at least %d bytes", p.Path, what, p.MinSize), nil
	case p.MinSize > 0 && fi.Size() < p.MinSize:
		return false, fmt.Sprintf("%s has %d bytes, want at least %d", p.Path, fi.Size(), p.MinSize), nil
	}
	return true, fmt.Sprintf("%s exists (%s)", p.Path, what), nil
}

// describe says what a FileInfo is, for details.
func describe(fi iofs.FileInfo) string {
	switch {
	case fi.IsDir():
		return "a directory"
	case fi.Mode().IsRegular():
		return fmt.Sprintf("a file of %d bytes", fi.Size())
	case fi.Mode()&iofs.ModeNamedPipe != 0:
		return "a named pipe"
	case fi.Mode()&iofs.ModeSocket != 0:
		return "a socket"
	case fi.Mode()&iofs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
