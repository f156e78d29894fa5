package detect

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on the platforms sprawl
// ships for.
const hugePage = 2 << 20

// minMappedTable is the smallest table worth a mapping of its own.
const minMappedTable = 256 << 10

// newTable returns n zeroed transitions for owner's automaton. A large
// table is mapped on its own, aligned to and asked for transparent huge
// pages, and unmapped once owner is unreachable: filling the built-in
// rules' table (about 0.8 MB) from the Go heap touched some 200 fresh
// pages, each a page fault, which on a virtual machine cost 15 to 25 µs
// apiece, most of the automaton's build at a scan's start. One huge page
// is one fault. Where huge pages are off, or the mapping fails, it is
// ordinary memory all the same.
func newTable(owner *KeywordSet, n int) []uint32 {
	size := n * 4
	if size < minMappedTable {
		return make([]uint32, n)
	}
	size = (size + hugePage - 1) &^ (hugePage - 1)
	mem, err := unix.Mmap(-1, 0, size+hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return make([]uint32, n)
	}
	skip := int(-uintptr(unsafe.Pointer(&mem[0])) & (hugePage - 1))
	table := mem[skip : skip+size]
	_ = unix.Madvise(table, unix.MADV_HUGEPAGE) // advice: a refusal leaves small pages
	runtime.AddCleanup(owner, func(m []byte) { _ = unix.Munmap(m) }, mem)
	return unsafe.Slice((*uint32)(unsafe.Pointer(&table[0])), n)
}
