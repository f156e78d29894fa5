package env

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// File reads a dotenv file (GitLab's dotenv report artifact, a file for
// docker run --env-file, $GITHUB_ENV) as the file it is: one input with
// its own line numbers, reported under its path. It is a file source,
// not an environment: its values sit on disk, readable by whoever can
// read the file, and a scan of it with sprawl dir finds the same
// findings with the same fingerprints.
type File struct {
	Path   string
	Limits sources.Limits
	Stats  *sources.Stats
}

// Walk emits the file's chunks. A missing, unreadable or non-regular file
// is a warning; the walk then emits nothing, which the caller reports as
// nothing scanned.
func (f *File) Walk(ctx context.Context, emit func(sources.Chunk) error) error {
	st := f.Stats
	if st == nil {
		st = sources.NewStats()
	}
	place := displayPath(f.Path)
	info, err := os.Stat(f.Path)
	if err != nil {
		st.Warn(place, "cannot read: "+reason(err))
		st.Skip(sources.SkipError)
		return nil
	}
	if !info.Mode().IsRegular() {
		st.Warn(place, "not a regular file: skipped")
		st.Skip(sources.SkipSpecial)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := os.Open(f.Path)
	if err != nil {
		st.Warn(place, "cannot read: "+reason(err))
		st.Skip(sources.SkipError)
		return nil
	}
	defer r.Close()
	origin := &sources.Origin{Source: sources.KindFile, Path: place}
	return sources.ReadChunks(r, origin, info.Size(), f.Limits, st, emit)
}

// displayPath is the path as sprawl dir reports a file given by name:
// slash-separated, without a leading "./".
func displayPath(p string) string {
	return strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "./")
}

// reason is an error without the path os wraps it with (the warning
// names the place already).
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
