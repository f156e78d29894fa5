// Package ciapitest holds what the CI walkers' tests share: a clock that
// does not wait, a JSON answer, and a collector of emitted chunks.
package ciapitest

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/ciapi"
)

// Sleeps records the waits a client asked for instead of waiting.
type Sleeps struct {
	mu sync.Mutex
	D  []time.Duration
}

// Configure makes a client record its waits here and read a fixed clock.
func (s *Sleeps) Configure(now time.Time) func(*ciapi.Client) {
	return func(c *ciapi.Client) {
		c.Now = func() time.Time { return now }
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			s.mu.Lock()
			s.D = append(s.D, d)
			s.mu.Unlock()
			return ctx.Err()
		}
	}
}

// JSON writes v as the answer, with extra headers (pairs of name, value).
func JSON(w http.ResponseWriter, status int, v any, headers ...string) {
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Add(headers[i], headers[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Collect walks src and returns the chunks it emitted, in order.
func Collect(ctx context.Context, src sources.Source) ([]sources.Chunk, error) {
	var (
		mu  sync.Mutex
		out []sources.Chunk
	)
	err := src.Walk(ctx, func(c sources.Chunk) error {
		mu.Lock()
		out = append(out, c)
		mu.Unlock()
		return nil
	})
	return out, err
}

// ByPath indexes chunks by their origin's path (the last one wins).
func ByPath(chunks []sources.Chunk) map[string]sources.Chunk {
	m := map[string]sources.Chunk{}
	for _, c := range chunks {
		m[c.Origin.Path] = c
	}
	return m
}
