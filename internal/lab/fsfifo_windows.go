//go:build windows

package lab

// hangFolder cannot make a folder hang on Windows without a file-system
// driver: only RESTORE hangs, file steps read the files as usual.
func hangFolder(_, _ string) ([]string, string, error) {
	return nil, "file steps are not affected on Windows (only RESTORE hangs)", nil
}

func unhangFolder(_, _ string, _ []string) error { return nil }

// lockFileAway leaves the file as it is on Windows: only RESTORE gets
// error 32.
func lockFileAway(_, _ string) (string, error) {
	return "file steps can still open the file on Windows (only RESTORE gets error 32)", nil
}

func unlockFileBack(_, _ string, _ bool) error { return nil }
