// Package stdin reads one stream, usually standard input.
package stdin

import (
	"context"
	"io"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Source reads a stream once and reports it under Name.
type Source struct {
	R      io.Reader
	Name   string
	Limits sources.Limits
	Stats  *sources.Stats
}

// Walk emits the stream's chunks.
func (s *Source) Walk(ctx context.Context, emit func(sources.Chunk) error) error {
	origin := &sources.Origin{Source: sources.KindStdin, Path: s.Name}
	return sources.ReadChunks(s.R, origin, -1, s.Limits, s.Stats, emit)
}
