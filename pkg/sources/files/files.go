// Package files walks files and folders on the local file system.
package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	ignore "github.com/sabhiram/go-gitignore"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Options configures a file system walk.
type Options struct {
	// Roots are the files and folders to scan, as the user gave them.
	Roots []string
	// FollowSymlinks follows symbolic links (loops are detected and
	// skipped); by default links are not followed.
	FollowSymlinks bool
	// Gitignore skips what .gitignore files exclude. Off by default: an
	// ignored .env file still holds its secret.
	Gitignore bool
	// Limits bound what is read from each file.
	Limits sources.Limits
	// Exclude is asked before a file is opened; true skips it. It gets
	// the slash-separated path that findings would report.
	Exclude func(path string) bool
	// Workers is the number of files read at once (default: CPUs).
	Workers int
	Stats   *sources.Stats
}

// Walker lists files under the roots and reads them in parallel.
type Walker struct {
	opts Options
	// listed counts the files queued for reading and their bytes; once the
	// listing is done they are the scan's total, for the progress line.
	listedItems, listedBytes atomic.Int64
	listingDone              atomic.Bool
}

// Total is the number of files and bytes the walk will read, known once
// every root has been listed (zero before): listing is far faster than
// reading, so a long scan soon shows a percentage and an ETA.
func (w *Walker) Total() (items, bytes int64) {
	if !w.listingDone.Load() {
		return 0, 0
	}
	return w.listedItems.Load(), w.listedBytes.Load()
}

// New returns a walker; it touches nothing until Walk.
func New(opts Options) *Walker {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Stats == nil {
		opts.Stats = sources.NewStats()
	}
	return &Walker{opts: opts}
}

type job struct {
	abs, display string
	size         int64
}

// Walk lists every root, then reads files on Workers goroutines; emit is
// called concurrently from those goroutines.
func (w *Walker) Walk(ctx context.Context, emit func(sources.Chunk) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The listing runs ahead of the readers, so that the total (for the
	// progress line) is known early.
	jobs := newJobQueue(queueDepth)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	for i := 0; i < w.opts.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch []byte // this worker's whole-file buffer
			for {
				j, ok := jobs.pop()
				if !ok {
					break
				}
				if ctx.Err() != nil {
					continue
				}
				if err := w.readFile(j, &scratch, emit); err != nil {
					fail(err)
				}
			}
		}()
	}
	multi := len(w.opts.Roots) > 1
	for _, root := range w.opts.Roots {
		if ctx.Err() != nil {
			break
		}
		w.walkRoot(ctx, root, multi, jobs)
	}
	w.listingDone.Store(true)
	jobs.close()
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (w *Walker) walkRoot(ctx context.Context, root string, multi bool, jobs *jobQueue) {
	st := w.opts.Stats
	info, err := os.Stat(root)
	if err != nil {
		st.Warn(root, fmt.Sprintf("cannot scan: %v", unwrapPathError(err)))
		st.Skip(sources.SkipError)
		return
	}
	if !info.IsDir() {
		display := filepath.ToSlash(filepath.Clean(root))
		w.offer(ctx, job{abs: root, display: display, size: info.Size()}, info.Mode(), jobs)
		return
	}
	prefix := ""
	if multi {
		prefix = filepath.ToSlash(filepath.Clean(root)) + "/"
	}
	real, _ := filepath.EvalSymlinks(root)
	d := &dirWalk{w: w, ctx: ctx, jobs: jobs, prefix: prefix, visited: map[string]bool{real: true}}
	d.walk(root, "", nil)
}

// dirWalk is the state of one root's recursive listing.
type dirWalk struct {
	w       *Walker
	ctx     context.Context
	jobs    *jobQueue
	prefix  string
	visited map[string]bool // real paths of folders entered, for loop detection
}

type ignoreLayer struct {
	rel string // folder the .gitignore sits in, relative to the root
	m   *ignore.GitIgnore
}

func (d *dirWalk) walk(abs, rel string, ignores []ignoreLayer) {
	st := d.w.opts.Stats
	entries, err := listDir(abs)
	if err != nil {
		st.Warn(d.display(rel, abs), fmt.Sprintf("cannot list folder: %v", unwrapPathError(err)))
		st.Skip(sources.SkipError)
		if len(entries) == 0 {
			return
		}
	}
	if d.w.opts.Gitignore {
		if m, err := ignore.CompileIgnoreFile(filepath.Join(abs, ".gitignore")); err == nil {
			ignores = append(ignores[:len(ignores):len(ignores)], ignoreLayer{rel: rel, m: m})
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	for _, e := range entries {
		if d.ctx.Err() != nil {
			return
		}
		name := e.name
		childAbs := filepath.Join(abs, name)
		childRel := name
		if rel != "" {
			childRel = rel + "/" + name
		}
		mode := e.typ
		if e.IsDir() && name == ".git" {
			continue
		}
		if ignored(ignores, childRel, e.IsDir()) {
			st.Skip(sources.SkipIgnored)
			continue
		}
		if mode&fs.ModeSymlink != 0 {
			if !d.w.opts.FollowSymlinks {
				st.Skip(sources.SkipSymlink)
				continue
			}
			target, err := os.Stat(childAbs)
			if err != nil {
				st.Warn(d.display(childRel, childAbs), fmt.Sprintf("broken symlink: %v", unwrapPathError(err)))
				st.Skip(sources.SkipError)
				continue
			}
			if target.IsDir() {
				d.enter(childAbs, childRel, ignores)
				continue
			}
			d.w.offer(d.ctx, job{abs: childAbs, display: d.prefix + childRel, size: target.Size()}, target.Mode(), d.jobs)
			continue
		}
		if e.IsDir() {
			d.enter(childAbs, childRel, ignores)
			continue
		}
		if e.statErr != nil {
			st.Warn(d.display(childRel, childAbs), fmt.Sprintf("cannot stat: %v", unwrapPathError(e.statErr)))
			st.Skip(sources.SkipError)
			continue
		}
		d.w.offer(d.ctx, job{abs: childAbs, display: d.prefix + childRel, size: e.size}, e.mode, d.jobs)
	}
}

// enter descends into a folder unless it was already entered through
// another path, which is how a symlink loop shows itself.
func (d *dirWalk) enter(abs, rel string, ignores []ignoreLayer) {
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		real = abs
	}
	if d.visited[real] {
		d.w.opts.Stats.Warn(d.display(rel, abs), "symlink loop: folder already scanned, skipped")
		d.w.opts.Stats.Skip(sources.SkipSymlink)
		return
	}
	d.visited[real] = true
	d.walk(abs, rel, ignores)
}

func (d *dirWalk) display(rel, abs string) string {
	if rel == "" {
		return abs
	}
	return d.prefix + rel
}

func ignored(layers []ignoreLayer, rel string, dir bool) bool {
	for _, l := range layers {
		p := rel
		if l.rel != "" {
			p = strings.TrimPrefix(rel, l.rel+"/")
		}
		if dir {
			p += "/"
		}
		if l.m.MatchesPath(p) {
			return true
		}
	}
	return false
}

// offer queues a regular file unless it is excluded; special files (FIFOs,
// devices, sockets) are never opened, since reading one can block forever.
func (w *Walker) offer(ctx context.Context, j job, mode fs.FileMode, jobs *jobQueue) {
	st := w.opts.Stats
	if !mode.IsRegular() {
		st.Skip(sources.SkipSpecial)
		return
	}
	if w.opts.Exclude != nil && w.opts.Exclude(j.display) {
		st.Skip(sources.SkipExcluded)
		return
	}
	if w.opts.Limits.MaxSize > 0 && j.size > w.opts.Limits.MaxSize {
		st.Skip(sources.SkipTooLarge)
		st.Warn(j.display, fmt.Sprintf("skipped: %d bytes is larger than --max-file-size (%d)", j.size, w.opts.Limits.MaxSize))
		return
	}
	w.listedItems.Add(1)
	w.listedBytes.Add(j.size)
	if ctx.Err() == nil {
		jobs.push(j)
	}
}

// regularFile is an opened file the walker reads.
type regularFile interface {
	io.Reader
	io.ReaderAt
	io.Closer
}

// wholeReadLimit is the largest file read in one go before it is
// scanned; a larger one is streamed in chunks.
const wholeReadLimit = sources.DefaultChunkSize

func (w *Walker) readFile(j job, scratch *[]byte, emit func(sources.Chunk) error) error {
	f, err := openRegular(j.abs)
	if err != nil {
		w.opts.Stats.Warn(j.display, fmt.Sprintf("cannot open: %v", unwrapPathError(err)))
		w.opts.Stats.Skip(sources.SkipError)
		return nil
	}
	defer f.Close()
	origin := &sources.Origin{Source: sources.KindFile, Path: j.display}
	var r io.Reader = f
	size := j.size
	if size <= wholeReadLimit {
		r, size = readWhole(f, size, scratch)
	}
	// ReadContent expands archives (by magic bytes, bounded) and hands
	// everything else to ReadChunks.
	return sources.ReadContent(r, origin, size, w.opts.Limits, w.opts.Stats, emit)
}

// readWhole reads a small file into scratch with, usually, one system
// call: it asks for one byte more than the listed size, and a file that
// gives exactly its size has not changed since it was listed. A file that
// gives less is read on to its end; one that gives more has grown, and its
// remainder is streamed after what was read. It returns the reader to
// scan and the size to report (-1 when unknown).
func readWhole(f regularFile, size int64, scratch *[]byte) (io.Reader, int64) {
	want := int(size) + 1
	if cap(*scratch) < want {
		*scratch = make([]byte, max(want, 64<<10))
	}
	buf := (*scratch)[:want]
	n, err := f.Read(buf)
	for err == nil && n < int(size) {
		var m int
		m, err = f.Read(buf[n:])
		n += m
	}
	switch {
	case n == want:
		return io.MultiReader(bytes.NewReader(buf[:n]), f), -1 // grown since it was listed
	case err != nil && err != io.EOF:
		return io.MultiReader(bytes.NewReader(buf[:n]), errAfter{err}), -1
	}
	return sources.NewWhole(buf[:n]), int64(n)
}

// errAfter is a reader that fails with err: a read error after some bytes
// reaches ReadChunks, which warns with the byte count.
type errAfter struct{ err error }

func (e errAfter) Read([]byte) (int, error) { return 0, e.err }

// unwrapPathError drops the path from an error, since the warning already
// names the place.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
