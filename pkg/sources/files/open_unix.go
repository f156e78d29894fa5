//go:build unix

package files

import (
	"io/fs"
	"os"
	"syscall"
)

// openRegular opens a file the walker listed as regular. os.Open also
// tries to register every file with the network poller and switches it to
// non-blocking mode, which a regular file refuses: four wasted system
// calls per file, thousands per checkout. os.NewFile on a blocking
// descriptor skips all of that.
func openRegular(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
