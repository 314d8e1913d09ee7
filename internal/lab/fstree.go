package lab

import (
	"io/fs"
	"os"
	"path/filepath"
)

// copyTree copies the folder src into dst (made if missing): folders and
// regular files, with their modification times.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case !info.Mode().IsRegular():
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, b, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(to, info.ModTime(), info.ModTime())
	})
}

// folderPages is the space the folder's files take in whole pages (how a
// tmpfs counts it).
func folderPages(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += roundPage(info.Size())
		}
		return err
	})
	return n, err
}

func roundPage(n int64) int64 {
	p := int64(os.Getpagesize())
	return (n + p - 1) / p * p
}
