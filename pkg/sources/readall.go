package sources

import (
	"fmt"
	"io"
)

// ReadAllLimited reads r to its end, at most limit bytes. A longer input
// is an error ("larger than N bytes") rather than a silently cut one: a
// manifest, an API answer or a pipeline file read whole must be whole.
func ReadAllLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}
