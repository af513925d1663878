package ui

import (
	"io"

	"github.com/mdp/qrterminal/v3"
)

// QR draws text as a QR code for a phone to scan off the terminal: half
// blocks (two rows of modules a line), plain characters without escape
// codes, and never qrterminal's sixel probe, which reads from the terminal.
// Callers draw it only on a terminal and never in accessible mode.
func QR(w io.Writer, text string) {
	qrterminal.GenerateWithConfig(text, qrterminal.Config{Level: qrterminal.L, Writer: w, HalfBlocks: true, QuietZone: 2})
}
