//go:build windows

package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// renameio does not build on Windows; os.Rename there uses MoveFileEx with
// MOVEFILE_REPLACE_EXISTING, which replaces the target in one operation.
func write(name string, data []byte, perm fs.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), perm); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
