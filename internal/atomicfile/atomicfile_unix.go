//go:build !windows

package atomicfile

import (
	"io/fs"

	"github.com/google/renameio/v2"
)

// renameio does temp file + fsync + rename and syncs the folder too, so the
// rename itself survives a power cut. The mode is set on the temp file before
// any byte is written and ignores both the umask and the old file's mode.
func write(name string, data []byte, perm fs.FileMode) error {
	pending, err := renameio.NewPendingFile(name, renameio.WithStaticPermissions(perm))
	if err != nil {
		return err
	}
	defer pending.Cleanup()
	if _, err := pending.Write(data); err != nil {
		return err
	}
	return pending.CloseAtomicallyReplace()
}
