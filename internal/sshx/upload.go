package sshx

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
)

// uploadScript writes stdin to a file atomically with POSIX tools only (no
// sftp: the simulated droplet has none, and a fresh server needs nothing
// installed). The temporary file is made private before any byte reaches
// it, its size is checked (a connection lost mid-copy ends cat's input
// early, and cat would exit 0), and only then is it given its mode and
// renamed over the target, which rename(2) does atomically.
const uploadScript = `set -e
tmp=%[1]s
rm -f "$tmp"
touch "$tmp"
chmod 600 "$tmp"
cat > "$tmp"
if test "$(wc -c < "$tmp")" -ne %[3]d; then
  rm -f "$tmp"
  echo "chapterctl: the upload arrived incomplete" >&2
  exit 1
fi
chmod %[4]o "$tmp"
mv -f "$tmp" %[2]s
`

// Upload writes data to path (absolute) on the server with mode, through
// a temporary file next to it: the file is either the old one or the
// whole new one, never a part.
func (c *Client) Upload(ctx context.Context, path string, data []byte, mode os.FileMode) error {
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "\x00\n") {
		return fmt.Errorf("ssh %s: upload %q: the path must be absolute and on one line", c.name, path)
	}
	if mode&^os.ModePerm != 0 {
		return fmt.Errorf("ssh %s: upload %s: mode %v is not plain permissions", c.name, path, mode)
	}
	script := fmt.Sprintf(uploadScript, shellQuote(path+".chapterctl-tmp"), shellQuote(path), len(data), mode.Perm())
	var stderr bytes.Buffer
	code, err := c.Run(ctx, script, RunOptions{Stdin: bytes.NewReader(data), Stderr: &stderr})
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	if code != 0 {
		return fmt.Errorf("ssh %s: upload %s: exit status %d: %s", c.name, path, code, firstLine(stderr.String()))
	}
	return nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// firstLine is the first non-empty line of a command's error output, or a
// placeholder when there is none.
func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return "no error output"
}
