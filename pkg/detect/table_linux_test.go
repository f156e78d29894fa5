package detect

import (
	"runtime"
	"strconv"
	"testing"
	"unsafe"
)

// A large table is mapped on its own: zeroed, writable, aligned to a huge
// page, and unmapped with its owner without disturbing the rest.
func TestNewTableMapsLargeTables(t *testing.T) {
	owner := &KeywordSet{}
	n := 300_000
	table := newTable(owner, n)
	if len(table) != n {
		t.Fatalf("len %d, want %d", len(table), n)
	}
	if addr := uintptr(unsafe.Pointer(&table[0])); addr%hugePage != 0 {
		t.Errorf("table at %#x, not aligned to a huge page", addr)
	}
	for i := range table {
		if table[i] != 0 {
			t.Fatalf("entry %d is %d, want 0", i, table[i])
		}
		table[i] = uint32(i)
	}
	if table[n-1] != uint32(n-1) {
		t.Fatal("last entry not written")
	}
	if small := newTable(owner, 10); len(small) != 10 {
		t.Fatalf("small table len %d", len(small))
	}
	runtime.KeepAlive(owner)
	owner, table = nil, nil
	runtime.GC()
	runtime.GC() // the cleanup runs; the process goes on
	// A set built after that works as before.
	k := NewKeywordSet(manyKeywords(5000))
	found := 0
	k.Each([]byte("xx kw4999 yy"), func(int, int, int) bool { found++; return true })
	if found == 0 {
		t.Error("keyword in a large set not found")
	}
}

func manyKeywords(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "kw" + strconv.Itoa(i)
	}
	return out
}
