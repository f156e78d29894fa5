package report

import (
	"fmt"
	"os"
	"strings"
)

// formats is the one table of output formats, in the order help text
// lists them. A new format is a new file and a new line here.
var formats = []struct {
	name   string
	writer Writer
}{
	{"text", TextWriter{}},
	{"json", JSONWriter{}},
	{"sarif", SARIFWriter{}},
	{"csv", CSVWriter{}},
	{"gitlab", GitLabWriter{}},
}

// FormatNames lists the valid format names, for flag help.
func FormatNames() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// Lookup returns the writer of a format by name (case-insensitive).
func Lookup(name string) (Writer, error) {
	want := strings.ToLower(strings.TrimSpace(name))
	for _, f := range formats {
		if f.name == want {
			return f.writer, nil
		}
	}
	return nil, fmt.Errorf("unknown report format %q (valid: %s)", name, strings.Join(FormatNames(), ", "))
}

// CreateFile opens a report file for writing with mode 0600, since a
// report names where secrets are (and holds them with --no-redact). An
// existing regular file is truncated and its mode tightened to 0600 as
// well; a device such as /dev/stdout is left as it is.
func CreateFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create report file: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() == 0o600 {
		return f, nil
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("create report file %s: %w", path, err)
	}
	return f, nil
}
