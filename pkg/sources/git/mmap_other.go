//go:build !(linux || darwin)

package git

import "os"

// packData is not used where packs are read with ReadAt.
type packData struct{ b []byte }

func mapPack(*os.File, int64) (*packData, error) { return nil, nil }

func (d *packData) slice(off, end int64) []byte { return d.b[off:end] }

func (d *packData) close() {}
