// Package atomicfile writes files so that a reader, or a process killed half-way,
// sees either the old content or the new one, never a mix: the data goes to a
// temporary file in the same folder, is synced, and is renamed over the target.
package atomicfile

import "io/fs"

// Write replaces name with data, atomically, with the given permissions.
// The permissions hold from the first byte: a secret is never briefly world-readable.
func Write(name string, data []byte, perm fs.FileMode) error {
	return write(name, data, perm)
}
