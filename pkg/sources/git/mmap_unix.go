//go:build linux || darwin

package git

import (
	"os"
	"sync/atomic"
	"syscall"
)

// packData maps a pack into memory: the walk reads hundreds of thousands of
// small entries in delta-tree order, and a system call per entry costs
// more than inflating many of them.
type packData struct {
	b    []byte
	read atomic.Int64 // bytes handed out since the last release
}

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

// releaseEvery is how much of a mapped pack is read between two releases
// of its pages: the pages stay in the page cache, but no longer count in
// the process's resident memory, which would otherwise grow to the size
// of the pack. A page read again is mapped back without reading the disk.
const releaseEvery = 4 << 20

func (d *packData) slice(off, end int64) []byte {
	if d.read.Add(end-off) > releaseEvery {
		d.read.Store(0)
		_ = syscall.Madvise(d.b, syscall.MADV_DONTNEED)
	}
	return d.b[off:end]
}

func (d *packData) close() { _ = syscall.Munmap(d.b) }
