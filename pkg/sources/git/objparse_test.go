package git

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func treeEntryBytes(mode, name string, id byte) []byte {
	return append([]byte(mode+" "+name+"\x00"), bytes.Repeat([]byte{id}, 20)...)
}

// A tree object's entries come out with their names, kinds and ids, and
// a damaged tree is an error, not a panic or a half-read entry.
func TestForEachTreeEntry(t *testing.T) {
	var tree []byte
	tree = append(tree, treeEntryBytes("100644", "README.md", 1)...)
	tree = append(tree, treeEntryBytes("40000", "src", 2)...)
	tree = append(tree, treeEntryBytes("160000", "vendor", 3)...)
	tree = append(tree, treeEntryBytes("100755", "a b.sh", 4)...)
	var got []string
	err := forEachTreeEntry(tree, func(name, _ []byte, kind int, id []byte) {
		got = append(got, fmt.Sprintf("%s/%d/%d", name, kind, id[0]))
	})
	want := fmt.Sprint([]string{
		fmt.Sprintf("README.md/%d/1", entryBlob), fmt.Sprintf("src/%d/2", entryTree),
		fmt.Sprintf("vendor/%d/3", entryOther), fmt.Sprintf("a b.sh/%d/4", entryBlob),
	})
	if err != nil || fmt.Sprint(got) != want {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	for name, bad := range map[string][]byte{
		"no space":      []byte("100644README"),
		"mode too long": []byte("10064444 x\x00" + string(bytes.Repeat([]byte{1}, 20))),
		"empty mode":    append([]byte(" x\x00"), bytes.Repeat([]byte{1}, 20)...),
		"no NUL":        []byte("100644 name-without-end"),
		"id cut short":  append([]byte("100644 x\x00"), bytes.Repeat([]byte{1}, 19)...),
		"second cut":    append(treeEntryBytes("100644", "ok", 1), []byte("100644 y")...),
	} {
		if err := forEachTreeEntry(bad, func(_, _ []byte, _ int, _ []byte) {}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkForEachTreeEntry reads a tree shaped like a large project's
// root (500 entries: files, folders, a submodule); git/git's history
// parses tens of millions of such entries.
func BenchmarkForEachTreeEntry(b *testing.B) {
	rng := rand.New(rand.NewSource(3))
	var tree []byte
	modes := []string{"100644", "100644", "100644", "100755", "40000", "40000", "120000", "160000"}
	for i := 0; i < 500; i++ {
		name := fmt.Sprintf("%s-%d.c", strings.Repeat("x", 3+rng.Intn(14)), i)
		tree = append(tree, treeEntryBytes(modes[rng.Intn(len(modes))], name, byte(i))...)
	}
	b.SetBytes(int64(len(tree)))
	n := 0
	for i := 0; i < b.N; i++ {
		_ = forEachTreeEntry(tree, func(name, _ []byte, kind int, id []byte) { n += kind + len(name) })
	}
}
