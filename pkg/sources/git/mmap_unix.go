//go:build linux || darwin

package git

import (
	"os"
	"syscall"
)

// packData maps a pack into memory: the walk reads hundreds of thousands of
// small entries in delta-tree order, and a system call per entry costs
// more CPU than inflating many of them (measured on curl: 15% of the scan).
// The mapped pages are the page cache's, shared and reclaimable; they
// count in the resident size as the pack is read, but are not heap.
type packData struct{ b []byte }

func mapPack(f *os.File, size int64) (*packData, error) {
	if size == 0 || int64(int(size)) != size {
		return nil, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil // fall back to reads
	}
	return &packData{b: b}, nil
}

func (d *packData) slice(off, end int64) []byte { return d.b[off:end] }

func (d *packData) close() { _ = syscall.Munmap(d.b) }
