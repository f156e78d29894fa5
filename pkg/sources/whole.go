package sources

import "bytes"

// Whole is an input already in memory in full (a small file, read with one
// system call), as a reader. ReadContent scans it where it lies when it
// can: it is no archive, it fits one chunk and Limits.Reuse says the chunk
// is not kept after emit returns. Otherwise it is read like any reader.
// Copying every file into a chunk buffer first was 29 MB of copying on
// curl's checkout, and a pooled buffer taken and given back per file.
type Whole struct {
	*bytes.Reader // what a reader of the content reads
	Data          []byte
}

// NewWhole returns data as a Whole.
func NewWhole(data []byte) *Whole { return &Whole{Reader: bytes.NewReader(data), Data: data} }

// inPlace reports whether w can be scanned where it lies: unread, of the
// size given, plain content (no archive, no executable stub) that fits
// one chunk, with chunks not kept past emit.
func (x *expander) inPlace(w *Whole, size int64) bool {
	lim := x.lim.withDefaults()
	head := w.Data[:min(len(w.Data), archiveSniffLen)]
	return w.Len() == len(w.Data) && lim.Reuse && size == int64(len(w.Data)) && len(w.Data) <= lim.ChunkSize &&
		sniffArchive(head) == notArchive && stubKind(head) < 0
}

// readInPlace is ReadChunks for content that inPlace accepted: the same
// checks of its start, then one chunk of the content itself.
func (x *expander) readInPlace(data []byte, origin *Origin) error {
	text, handled, err := startOf(data, true, eofReader{}, origin, x.lim, x.st, x.emit)
	if handled {
		return err
	}
	if len(text) > 0 {
		if err := x.emit(Chunk{Data: text, Origin: origin, StartLine: 1}); err != nil {
			return err
		}
	}
	x.st.Scanned(int64(len(data)))
	return nil
}
