package git

import (
	"bytes"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// scanArchive opens a blob that is an archive (zip, jar, war, tar, gzip)
// the way `sprawl dir` opens an archive file: through sources.ReadContent,
// with the same size, depth and bomb limits, each match noting the member
// it is in. The history optimisations do not apply and are bypassed: a
// delta on an archive shares compressed bytes with its base, not lines,
// so the result is opaque (a delta built on it is read whole), and no
// line goes into the line cache (member lines would be cached under
// offsets of the decompressed member, not of the blob).
func (s *blobScanner) scanArchive(origin *sources.Origin, data []byte) *blobResult {
	var out []Match
	_ = sources.ReadContent(bytes.NewReader(data), origin, int64(len(data)), s.lim, s.st, func(c sources.Chunk) error {
		member := strings.TrimPrefix(c.Origin.Path, origin.Path)
		for _, m := range s.find(c) {
			m.Member = member
			out = append(out, m)
		}
		return nil
	})
	return &blobResult{matches: dedupeMatches(out), opaque: true}
}
