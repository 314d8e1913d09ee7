package lab

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/failover-dev/failover/internal/labfile"
)

// The default path map: the log shipping share of the primary's file
// server, the secondary's copy folder, and the rest of its D: drive.
const (
	defaultSharePath = `\\DC1-FS01\LSBackup`
	defaultCopyPath  = `D:\LSCopy\mgc`
)

// defaultPaths maps the default share and copy folder to DIR/share and
// DIR/copy, and D:\ (anything else on the secondary's data drive, such
// as a STANDBY undo file) to DIR/backup-d.
func defaultPaths() []labfile.PathMapping {
	return []labfile.PathMapping{
		{Windows: defaultSharePath, Local: "share"},
		{Windows: defaultCopyPath, Local: "copy"},
		{Windows: `D:\`, Local: "backup-d"},
	}
}

// PathMap is the lab's path map for the lab dir dir: each mapping's
// local folder made absolute under dir.
func (c Config) PathMap(dir string) (labfile.PathMap, error) {
	abs := make([]labfile.PathMapping, len(c.Paths))
	for i, pm := range c.Paths {
		abs[i] = labfile.PathMapping{Windows: pm.Windows, Local: resolve(dir, pm.Local)}
	}
	return labfile.NewPathMap(abs)
}

// ShareFolder is the local folder of the log shipping share in the lab
// dir dir (through the path map when share_dir is a Windows path).
func (c Config) ShareFolder(dir string) string { return c.folder(dir, c.LogShipping.ShareDir) }

// CopyFolder is the local folder of the secondary's copy destination.
func (c Config) CopyFolder(dir string) string { return c.folder(dir, c.LogShipping.CopyDir) }

// folder resolves a configured folder: a Windows path through the map,
// anything else as a path relative to the lab dir (as before the map).
func (c Config) folder(dir, p string) string {
	if _, ok := labfile.ParseWinPath(p); !ok {
		return resolve(dir, p)
	}
	m, err := c.PathMap(dir)
	if err != nil {
		return ""
	}
	local, err := m.Resolve(p)
	if err != nil {
		return ""
	}
	return local
}

// ShareWindowsPath is the log shipping share as SQL Server and plans name
// it (msdb's backup_source_directory): share_dir in its canonical
// spelling, or the local folder when share_dir is not a Windows path.
func (c Config) ShareWindowsPath(dir string) string { return c.sqlPath(dir, c.LogShipping.ShareDir) }

// CopyWindowsPath is the copy folder as SQL Server and plans name it
// (msdb's backup_destination_directory).
func (c Config) CopyWindowsPath(dir string) string { return c.sqlPath(dir, c.LogShipping.CopyDir) }

// sqlPath is a configured folder as SQL Server names it: a Windows path
// in its canonical spelling, or (without a Windows path) the local folder.
func (c Config) sqlPath(dir, p string) string {
	if w, ok := labfile.ParseWinPath(p); ok {
		return w.String()
	}
	return resolve(dir, p)
}

// sqlJoin names a file in a folder as SQL Server would: with a backslash
// in a Windows folder.
func sqlJoin(folder, name string) string {
	if w, ok := labfile.ParseWinPath(folder); ok {
		return w.Join(name).String()
	}
	return filepath.Join(folder, name)
}

// labFolders are the folders of the lab dir that hold files: every
// mapped folder, and the share and copy folders.
func (c Config) labFolders(dir string) []string {
	var out []string
	for _, pm := range c.Paths {
		out = append(out, resolve(dir, pm.Local))
	}
	for _, f := range []string{c.ShareFolder(dir), c.CopyFolder(dir)} {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// validatePaths checks the path map (each local folder inside the lab
// dir) and that the share and copy folders are reachable through it.
func (c Config) validatePaths() []error {
	var errs []error
	for _, pm := range c.Paths {
		if !filepath.IsLocal(filepath.FromSlash(pm.Local)) {
			errs = append(errs, fmt.Errorf("paths: %s → %q: the local folder must be relative to the lab dir and stay inside it", pm.Windows, pm.Local))
		}
	}
	// Any dir checks the Windows sides; no folder is made.
	m, err := c.PathMap(".")
	if err != nil {
		return append(errs, err)
	}
	ls := c.LogShipping
	for _, f := range []struct{ key, p string }{{"share_dir", ls.ShareDir}, {"copy_dir", ls.CopyDir}} {
		if _, ok := labfile.ParseWinPath(f.p); !ok {
			continue
		}
		if _, err := m.Resolve(f.p); errors.Is(err, labfile.ErrNotMapped) {
			errs = append(errs, fmt.Errorf("log_shipping.%s %s: no entry of paths covers it (paths: %s)", f.key, f.p, mappedRoots(c.Paths)))
		}
	}
	return errs
}

func mappedRoots(ms []labfile.PathMapping) string {
	if len(ms) == 0 {
		return "none"
	}
	roots := make([]string, len(ms))
	for i, pm := range ms {
		roots[i] = pm.Windows
	}
	return strings.Join(roots, ", ")
}
