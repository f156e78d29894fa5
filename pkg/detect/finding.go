package detect

import "github.com/sprawl-sec/sprawl/pkg/sources"

// Finding is one secret found in one place. It holds the secret itself
// because later stages need it (grouping by a keyed hash, --no-redact);
// reports redact it by default.
type Finding struct {
	Rule   *Rule
	Secret string
	// Match is the whole text the rule's pattern matched.
	Match string
	// LineText is the line (or lines) holding the secret, capped in length,
	// for context in reports; it contains the secret and is redacted there.
	LineText string
	Origin   *sources.Origin
	// Line and Column are 1-based and point at the first byte of the
	// secret; EndLine and EndColumn at its last byte.
	Line, Column, EndLine, EndColumn int
	// Offset is the byte offset of the secret in the original input.
	Offset  int64
	Entropy float64
	// Decoded names the encoding the secret was found under ("base64",
	// "percent"), or is empty when it was found as written.
	Decoded string
}
