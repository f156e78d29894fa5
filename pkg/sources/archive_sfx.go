package sources

import (
	"bytes"
	"encoding/binary"
	"io"
)

// A zip can sit behind a stub: a self-extracting archive behind its
// Windows or Linux executable, a "fully executable" Spring Boot jar
// behind its launch script. Zip readers find such a zip from its end (the
// end-of-central-directory record says where the directory is), so the
// stub does not stop them, and neither must it stop a secret scanner.
// Finding the end needs random access, which a file or a git blob has
// and a member of another archive does not: only the outermost input is
// checked, and only when it starts like a stub.

// zipStubMagic are the starts of the stubs looked behind: a PE
// executable, an ELF executable, a script.
var zipStubMagic = [][]byte{[]byte("MZ"), []byte("\x7fELF"), []byte("#!")}

// Sizes of the zip records read here.
const (
	zipEndLen        = 22 // end of central directory, without its comment
	zipCentralLen    = 46 // central directory header, without its name
	zipMaxCommentLen = 0xFFFF
)

// IsArchiveContent is IsArchive for an input held whole in memory (a git
// blob): it also recognises a zip behind a stub, as ReadContent does.
func IsArchiveContent(b []byte) bool {
	if IsArchive(b) {
		return true
	}
	if stubKind(b) < 0 {
		return false // before the reader, which would cost an allocation
	}
	_, ok := zipBehindStub(bytes.NewReader(b), b, int64(len(b)))
	return ok
}

// stubKind is the index in zipStubMagic of how head starts, or -1.
func stubKind(head []byte) int {
	for i, m := range zipStubMagic {
		if bytes.HasPrefix(head, m) {
			return i
		}
	}
	return -1
}

// zipBehindStub returns where the first member of a zip behind a stub
// starts. Executables are searched for the end record through the
// longest zip comment; a script only at the very end (a zip with no
// comment), so that the many scripts that hold no zip cost one small read.
func zipBehindStub(ra io.ReaderAt, head []byte, size int64) (int64, bool) {
	stub := stubKind(head)
	if stub < 0 || size < zipEndLen+4 {
		return 0, false
	}
	span := int64(zipEndLen)
	if stub != len(zipStubMagic)-1 {
		span = min(size, zipEndLen+zipMaxCommentLen)
	}
	tail := make([]byte, span)
	if _, err := ra.ReadAt(tail, size-span); err != nil {
		return 0, false
	}
	le := binary.LittleEndian
	for end := len(tail) - zipEndLen; end >= 0; end-- {
		end = bytes.LastIndex(tail[:end+4], []byte("PK\x05\x06"))
		if end < 0 {
			return 0, false
		}
		rec := tail[end:]
		if len(rec) < zipEndLen || int(le.Uint16(rec[20:]))+zipEndLen != len(rec) {
			continue // not the last record of the file: a signature inside the comment or the data
		}
		dirSize, dirOff := int64(le.Uint32(rec[12:])), int64(le.Uint32(rec[16:]))
		dirAt := size - span + int64(end) - dirSize // where the directory really is
		if dirAt <= 0 || dirOff == zipMax32 {
			return 0, false // no room for a stub, or zip64: not looked into
		}
		// The directory's first entry says where its member starts, counted
		// from the zip's start (a stub prepended) or from the file's (a zip
		// whose offsets were adjusted, as zip -A does).
		cd := make([]byte, zipCentralLen)
		if _, err := ra.ReadAt(cd, dirAt); err != nil || le.Uint32(cd) != zipCentralSig {
			return 0, false
		}
		first := int64(le.Uint32(cd[42:])) + dirAt - dirOff
		var sig [4]byte
		if first <= 0 || first >= dirAt {
			return 0, false
		}
		if _, err := ra.ReadAt(sig[:], first); err != nil || le.Uint32(sig[:]) != zipLocalSig {
			return 0, false
		}
		return first, true
	}
	return 0, false
}

// readStubbedZip reads the stub when it is text (a launch script may hold
// a secret of its own), then the zip behind it.
func (x *expander) readStubbedZip(ra io.ReaderAt, head []byte, first, size int64, origin *Origin) error {
	if !IsBinary(head[:min(int64(len(head)), first)]) {
		if err := ReadChunks(io.NewSectionReader(ra, 0, first), origin, first, x.lim, x.st, x.emit); err != nil {
			return err
		}
	}
	return x.readZip(io.NewSectionReader(ra, first, size-first), origin, 1)
}
