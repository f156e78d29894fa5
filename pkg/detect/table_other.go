//go:build !linux

package detect

// newTable returns n zeroed transitions for owner's automaton (see
// table_linux.go for why Linux maps large ones on their own).
func newTable(owner *KeywordSet, n int) []uint32 { return make([]uint32, n) }
