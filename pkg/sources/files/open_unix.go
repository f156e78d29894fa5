//go:build unix

package files

import (
	"io"
	"io/fs"
	"syscall"
)

// openRegular opens a file the walker listed as regular. os.Open would
// register every file with the network poller and switch it to
// non-blocking mode, which a regular file refuses, and os.NewFile still
// asks the descriptor's flags: system calls per file, thousands per
// checkout, on a machine where each costs microseconds. A bare blocking
// descriptor needs none of them.
func openRegular(path string) (regularFile, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return &fdFile{fd: fd, path: path}, nil
	}
}

// fdFile reads a regular file through its descriptor.
type fdFile struct {
	fd   int
	path string
}

func (f *fdFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.path, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *fdFile) ReadAt(p []byte, off int64) (int, error) {
	read := 0
	for read < len(p) {
		n, err := syscall.Pread(f.fd, p[read:], off+int64(read))
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return read, &fs.PathError{Op: "read", Path: f.path, Err: err}
		case n == 0:
			return read, io.EOF
		}
		read += n
	}
	return read, nil
}

func (f *fdFile) Close() error { return syscall.Close(f.fd) }
