package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// ciSource runs the walkers of one `sprawl ci` scan in turn: pipeline
// files, then each platform's API. A platform whose every target failed
// does not stop the others; its error is returned at the end.
type ciSource struct{ sources []sources.Source }

func (s *ciSource) Walk(ctx context.Context, emit func(sources.Chunk) error) error {
	var errs []error
	for _, src := range s.sources {
		if err := src.Walk(ctx, emit); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// skipFolders hold other people's pipelines (vendored actions) or none.
var skipFolders = map[string]bool{".git": true, "node_modules": true}

// listPipelineFiles returns the pipeline files under the roots, in a
// stable order. A root that is a file is taken as it is: the user named
// it. Unreadable places are warnings.
func listPipelineFiles(roots []string, st *sources.Stats) []string {
	var out []string
	for _, root := range roots {
		info, err := os.Stat(root)
		if err != nil {
			st.Warn(root, fmt.Sprintf("cannot scan: %v", unwrapPath(err)))
			st.Skip(sources.SkipError)
			continue
		}
		if !info.IsDir() {
			out = append(out, root)
			continue
		}
		var found []string
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				st.Warn(filepath.ToSlash(p), fmt.Sprintf("cannot list: %v", unwrapPath(err)))
				st.Skip(sources.SkipError)
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if p != root && skipFolders[d.Name()] {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && classify.IsPipelinePath(filepath.ToSlash(p)) {
				found = append(found, p)
			}
			return nil
		})
		sort.Strings(found)
		out = append(out, found...)
	}
	return out
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
