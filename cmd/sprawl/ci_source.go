package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

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
// stable order, and among them the GitLab includes (see gitlabIncludes),
// by the path the files walker reports them under. A root that is a file
// is taken as it is: the user named it. Unreadable places are warnings.
func listPipelineFiles(roots []string, st *sources.Stats) (files []string, included map[string]bool) {
	var out []string
	included = map[string]bool{}
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
		for _, inc := range gitlabIncludes(root, found, st) {
			out = append(out, inc)
			included[filepath.ToSlash(filepath.Clean(inc))] = true
		}
	}
	return out, included
}

// maxIncludeSize bounds a pipeline file read to follow its includes.
const maxIncludeSize = 1 << 20

// gitlabIncludes follows the `include: local:` entries of the GitLab
// pipelines among found, transitively, and returns the included files
// that are not pipeline files by name (ci/deploy.yml). Includes are
// resolved inside root, the repository, as GitLab does; a glob include
// ("ci/*.yml") is expanded; a path that leaves root is ignored.
func gitlabIncludes(root string, found []string, st *sources.Stats) []string {
	fsys := os.DirFS(root)
	seen := map[string]bool{}
	var queue, out []string
	for _, f := range found {
		if classify.PlatformOf(filepath.ToSlash(f)) == classify.GitLabCI {
			queue = append(queue, f)
			seen[filepath.Clean(f)] = true
		}
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		data, err := readBounded(f, maxIncludeSize)
		if err != nil {
			st.Warn(filepath.ToSlash(f), fmt.Sprintf("cannot read its includes: %v", unwrapPath(err)))
			continue
		}
		for _, pattern := range classify.GitLabLocalIncludes(data) {
			matches := []string{pattern}
			if strings.ContainsAny(pattern, "*?[{") {
				matches, _ = doublestar.Glob(fsys, pattern, doublestar.WithFilesOnly())
			}
			for _, rel := range matches {
				if !fs.ValidPath(rel) { // absolute, or climbing out of the repository
					continue
				}
				p := filepath.Join(root, filepath.FromSlash(rel))
				if seen[p] {
					continue
				}
				seen[p] = true
				if info, err := os.Stat(p); err != nil || !info.Mode().IsRegular() {
					st.Warn(filepath.ToSlash(f), fmt.Sprintf("includes %s, which is not a file here", rel))
					continue
				}
				queue = append(queue, p)
				if !classify.IsPipelinePath(filepath.ToSlash(p)) {
					out = append(out, p)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return sources.ReadAllLimited(f, limit)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
