//go:build !(linux || darwin)

package files

import "os"

// listDir lists a folder and reads each file's mode and size.
func listDir(path string) ([]dirEntry, error) {
	entries, err := os.ReadDir(path)
	out := make([]dirEntry, 0, len(entries))
	for _, e := range entries {
		de := dirEntry{name: e.Name(), typ: e.Type()}
		if de.needsStat() {
			if info, err := e.Info(); err != nil {
				de.statErr = err
			} else {
				de.mode, de.size = info.Mode(), info.Size()
			}
		}
		out = append(out, de)
	}
	return out, err
}
