package report

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// sarifArtifact returns where a finding's file is, as SARIF wants it: a
// relative, slash-separated, percent-encoded URI against %SRCROOT%, or an
// absolute file: URI for a path outside any scan root.
func sarifArtifact(f classify.Finding) sarifArtifactLocation {
	o := originOf(f)
	p := strings.TrimPrefix(o.Path, "./")
	if p == "" {
		// Standard input and other places without a path still need a
		// location for GitHub; name the kind of source instead.
		p = string(o.Source)
		if p == "" {
			p = "unknown"
		}
	}
	if abs, ok := absoluteFileURI(p); ok {
		return sarifArtifactLocation{URI: abs}
	}
	return sarifArtifactLocation{URI: escapePath(p), URIBaseID: srcRoot}
}

func absoluteFileURI(p string) (string, bool) {
	if strings.HasPrefix(p, "/") {
		return "file://" + escapePath(p), true
	}
	if len(p) >= 3 && p[1] == ':' && p[2] == '/' && isAlnum(p[0]) && !('0' <= p[0] && p[0] <= '9') {
		return "file:///" + p[:2] + escapePath(p[2:]), true // a Windows drive path
	}
	return "", false
}

// escapePath percent-encodes every byte of each path segment that is not
// an RFC 3986 unreserved character. That is stricter than needed, but it
// makes spaces, non-ASCII names, '#', '?', '%' and a ':' that would read
// as a URI scheme all safe with one rule.
func escapePath(p string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// sarifRegionOf converts a finding's position to a SARIF region. The
// detector counts columns in bytes with an inclusive end; SARIF (with the
// columnKind this writer declares) counts UTF-16 code units with an
// exclusive end. Columns are converted using the context line when it
// demonstrably starts at the line's first byte, and left as byte columns
// otherwise, which is exact for ASCII lines, the common case.
func sarifRegionOf(f classify.Finding, redact bool) *sarifRegion {
	startLine := max(f.Line, 1)
	endLine := max(f.EndLine, startLine)
	startCol := max(f.Column, 1)
	endCol := max(f.EndColumn, 1) + 1 // inclusive last byte -> exclusive

	lines := strings.Split(f.LineText, "\n")
	first := lines[0]
	aligned := startCol-1 <= len(first) && lineStartsAtColumn(f, first, startCol)
	if aligned {
		startCol = utf16Len(first[:startCol-1]) + 1
		if last := lines[len(lines)-1]; len(lines) == endLine-startLine+1 && max(f.EndColumn, 1) <= len(last) {
			endCol = utf16Len(last[:max(f.EndColumn, 1)]) + 1
		}
	}
	if endLine == startLine && endCol <= startCol {
		endCol = startCol + 1 // SARIF needs a non-empty region on one line
	}
	reg := &sarifRegion{StartLine: startLine, StartColumn: startCol, EndLine: endLine, EndColumn: endCol}
	if !redact && f.Decoded == "" && f.Secret != "" {
		reg.Snippet = &sarifMessage{Text: f.Secret}
	}
	return reg
}

// lineStartsAtColumn reports whether the context line holds the secret
// (or, for a decoded finding, an encoded token) exactly at the byte
// column the detector gave, which proves the line was not cut in front.
func lineStartsAtColumn(f classify.Finding, line string, col int) bool {
	rest := line[col-1:]
	if f.Decoded == "" {
		head, _, _ := strings.Cut(f.Secret, "\n")
		return head != "" && strings.HasPrefix(rest, head)
	}
	return rest != "" && isTokenByte(rest[0]) && (col == 1 || !isTokenByte(line[col-2]))
}

// utf16Len counts the UTF-16 code units of s; invalid bytes count as one
// replacement character each, as editors show them.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r == utf8.RuneError {
			n++
			continue
		}
		n += utf16.RuneLen(r)
	}
	return n
}
