//go:build !unix

package files

import "os"

// openRegular opens a file the walker listed as regular.
func openRegular(path string) (regularFile, error) { return os.Open(path) }
