package git

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// StagedOptions says which work tree's index to read.
type StagedOptions struct {
	// Path is the work tree (or any folder in it).
	Path   string
	Limits sources.Limits
	// Stats receives warnings about staged files that cannot be read.
	Stats *sources.Stats
}

// Staged is what the next commit would add: for each staged file that
// differs from HEAD, its staged content and which of its lines are new.
type Staged struct {
	opts  StagedOptions
	root  string
	files []stagedFile
	ls    *lazyStore // while opening
	z     inflater
}

// Root is the work tree's top folder ("" for a bare repository).
func (s *Staged) Root() string { return s.root }

type stagedFile struct {
	path  string
	data  []byte
	added []bool // by line number - 1
	// archive is set for a zip, jar, tar or gzip file, or a keystore: it is read whole,
	// and what its HEAD versions (bases) already held is not new.
	archive bool
	bases   [][]byte
}

// OpenStaged compares the index with HEAD. A line is added when the
// staged file holds it more often than the HEAD version did: moving a
// line, or editing around an old secret, adds nothing, so only new text
// can fail a pre-commit check. A file staged under a new path is compared
// with the files the index removes, so a renamed file adds nothing; a
// copy of a committed file is new (the secret spreads).
func OpenStaged(opts StagedOptions) (*Staged, error) {
	if opts.Stats == nil {
		opts.Stats = sources.NewStats()
	}
	repo, err := OpenRepo(opts.Path)
	if err != nil {
		return nil, err
	}
	idx, err := repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("read the index: %w", err)
	}
	fs, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open repository %s: not stored on disk", opts.Path)
	}
	ls, err := openLazyStore(filepath.Join(fs.Filesystem().Root(), "objects"))
	if err != nil {
		return nil, err
	}
	defer ls.close()
	s := &Staged{opts: opts, ls: ls}
	if wt, err := repo.Worktree(); err == nil {
		s.root = wt.Filesystem.Root()
	}
	head := map[string]plumbing.Hash{}
	same := map[string]bool{}
	if ref, err := repo.Head(); err == nil { // no commit yet: everything staged is new
		kind, data, err := ls.read(ref.Hash(), &s.z)
		if err != nil || kind != objCommit {
			return nil, fmt.Errorf("read HEAD commit %s: %v", ref.Hash(), err)
		}
		c, _, err := parseCommit(ref.Hash(), data)
		if err != nil {
			return nil, fmt.Errorf("read HEAD commit: %w", err)
		}
		if err := headChanges(ls, &s.z, c.tree, "", indexTrees(idx.Entries), head, same); err != nil {
			return nil, err
		}
	}
	staged := map[string]bool{}
	var fresh []*index.Entry
	for _, e := range idx.Entries {
		staged[e.Name] = true
		// Stage 0 is a normal entry (go-git names 1 "Merged", but 1-3 are
		// the sides of a conflict, which cannot be committed).
		if e.Stage != 0 || e.IntentToAdd || e.Mode == filemode.Submodule || e.Mode == filemode.Dir {
			continue
		}
		if old, ok := head[e.Name]; (ok && old == e.Hash) || (!ok && inSame(e.Name, same)) {
			continue
		}
		fresh = append(fresh, e)
	}
	// Files the index removes: a renamed file is compared with them.
	var removed []string
	gone := map[plumbing.Hash]bool{}
	for p, h := range head {
		if !staged[p] {
			removed = append(removed, p)
			gone[h] = true
		}
	}
	sort.Strings(removed)
	for _, e := range fresh {
		if gone[e.Hash] {
			continue // a renamed file, content unchanged
		}
		var bases []plumbing.Hash
		if h, ok := head[e.Name]; ok {
			bases = []plumbing.Hash{h}
		} else {
			bases = renameCandidates(e.Name, removed, head)
		}
		if err := s.add(e, bases); err != nil {
			return nil, err
		}
	}
	s.ls = nil
	return s, nil
}

// maxRenameBases bounds how many removed files a new file is compared
// with, so that deleting a large folder does not make every added file
// read all of it.
const maxRenameBases = 16

// renameCandidates picks the removed files a new file may have been
// renamed from: those with the same name first.
func renameCandidates(name string, removed []string, head map[string]plumbing.Hash) []plumbing.Hash {
	var same, other []plumbing.Hash
	for _, p := range removed {
		if path.Base(p) == path.Base(name) {
			same = append(same, head[p])
		} else {
			other = append(other, head[p])
		}
	}
	out := append(same, other...)
	return out[:min(len(out), maxRenameBases)]
}

// add reads a staged file and marks which of its lines the bases lack.
func (s *Staged) add(e *index.Entry, bases []plumbing.Hash) error {
	st := s.opts.Stats
	data, err := s.readBlob(e.Hash, s.opts.Limits, e.Name)
	if err != nil {
		st.Warn(e.Name, fmt.Sprintf("cannot read the staged blob %s: %v", e.Hash, err))
		st.Skip(sources.SkipError)
		return nil
	}
	if data == nil {
		return nil
	}
	if sources.IsContainer(data) {
		f := stagedFile{path: e.Name, data: data, archive: true}
		for _, h := range bases {
			if prev, err := s.readBlob(h, s.opts.Limits, e.Name); err == nil && sources.IsContainer(prev) {
				f.bases = append(f.bases, prev)
			}
		}
		s.files = append(s.files, f)
		return nil
	}
	if sources.IsBinary(data) { // UTF-16 included: its lines cannot be compared as text
		st.Skip(sources.SkipBinary)
		return nil
	}
	old := map[string]int{}
	for _, h := range bases {
		if prev, err := s.readBlob(h, sources.Limits{}, e.Name); err == nil {
			countLines(prev, old)
		}
	}
	f := stagedFile{path: e.Name, data: data}
	any := false
	forLines(data, func(_, _ int, line []byte) {
		k := string(trimEOL(line))
		isNew := old[k] == 0
		if !isNew {
			old[k]--
		}
		any = any || isNew
		f.added = append(f.added, isNew)
	})
	if any {
		s.files = append(s.files, f)
	}
	return nil
}

// Files is the number of staged files with added lines.
func (s *Staged) Files() int { return len(s.files) }

// Scan reads the added lines of each file (with two lines of context, so
// that a key whose BEGIN line already existed is still seen whole) and
// keeps the matches that touch an added line. Line numbers are those of
// the staged file.
// Paths that exclude returns true for are skipped.
func (s *Staged) Scan(ctx context.Context, find Finder, exclude func(string) bool, st *sources.Stats) []Finding {
	bs := newBlobScanner(find, s.opts.Limits, st, newLineCache())
	var out []Finding
	for _, f := range s.files {
		if ctx.Err() != nil {
			break
		}
		if exclude != nil && exclude(f.path) {
			st.Skip(sources.SkipExcluded)
			continue
		}
		origin := &sources.Origin{Source: sources.KindGit, Path: f.path}
		if f.archive {
			out = append(out, stagedArchive(bs, f, origin)...)
			st.Scanned(int64(len(f.data)))
			continue
		}
		var read int64
		for _, r := range f.runs() {
			rng := span{lineOffset(f.data, r.start), lineOffset(f.data, r.end)}
			for _, m := range bs.scanRange(origin, f.data, rng, r.start+1) {
				if f.touchesAdded(m) {
					out = append(out, Finding{Origin: origin, Match: m})
				}
			}
			read += int64(rng.end - rng.start)
		}
		st.Scanned(read)
	}
	return out
}

// stagedArchive reads a staged archive whole, with `sprawl dir`'s limits,
// and keeps the matches no HEAD version of it held (by match key, which
// names the rule and the value): an old secret in an archive that gets a
// new member does not block the commit; a new one does, at its member.
func stagedArchive(bs *blobScanner, f stagedFile, origin *sources.Origin) []Finding {
	old := map[string]bool{}
	for _, b := range f.bases {
		for _, m := range bs.scanArchive(origin, b).matches {
			old[m.Key] = true
		}
	}
	var out []Finding
	for _, m := range bs.scanArchive(origin, f.data).matches {
		if !old[m.Key] {
			out = append(out, Finding{Origin: &sources.Origin{Source: sources.KindGit, Path: f.path + m.Member}, Match: m})
		}
	}
	return out
}

// runs returns the line ranges (0-based, end exclusive) to read: runs of
// added lines widened by contextLines.
func (f *stagedFile) runs() []span {
	var out []span
	n := len(f.added)
	for i := 0; i < n; i++ {
		if !f.added[i] {
			continue
		}
		a, b := max(i-contextLines, 0), min(i+1+contextLines, n)
		if k := len(out) - 1; k >= 0 && a <= out[k].end {
			out[k].end = b
		} else {
			out = append(out, span{a, b})
		}
	}
	return out
}

func (f *stagedFile) touchesAdded(m Match) bool {
	for l := m.Line; l <= m.Line+m.Lines && l-1 < len(f.added); l++ {
		if l >= 1 && f.added[l-1] {
			return true
		}
	}
	return false
}

// lineOffset returns the byte offset of 0-based line n.
func lineOffset(data []byte, n int) int {
	off := 0
	for ; n > 0 && off < len(data); n-- {
		off = lineEnd(data, off)
	}
	return off
}

func forLines(data []byte, fn func(start, end int, line []byte)) {
	for a := 0; a < len(data); {
		b := lineEnd(data, a)
		fn(a, b, data[a:b])
		a = b
	}
}

func countLines(data []byte, into map[string]int) {
	forLines(data, func(_, _ int, line []byte) { into[string(trimEOL(line))]++ })
}

func trimEOL(b []byte) []byte { return bytes.TrimRight(b, "\r\n") }

// readBlob reads a blob, or returns nil (with the same warning as a large
// file) when it is over the size limit.
func (s *Staged) readBlob(id plumbing.Hash, lim sources.Limits, place string) ([]byte, error) {
	kind, data, err := s.ls.read(id, &s.z)
	if err != nil {
		return nil, err
	}
	if kind != objBlob {
		return nil, fmt.Errorf("%s is not a blob", id)
	}
	if lim.MaxSize > 0 && int64(len(data)) > lim.MaxSize {
		s.opts.Stats.Skip(sources.SkipTooLarge)
		s.opts.Stats.Warn(place, fmt.Sprintf("skipped: %d bytes is larger than --max-file-size (%d)", len(data), lim.MaxSize))
		return nil, nil
	}
	return data, nil
}
