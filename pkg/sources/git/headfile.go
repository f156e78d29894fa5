package git

import (
	"strings"

	"fmt"
	"github.com/go-git/go-git/v5/plumbing"
	"io"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// HeadFile reads the first of the paths that is a file at HEAD of the
// default branch (a CODEOWNERS file, say), whatever part of history the
// scan covers: it describes the repository as it is now. It returns ""
// when none is there, and skips a file larger than maxSize with a
// warning. Call it before Read, which lets go of go-git's object store.
func (h *History) HeadFile(maxSize int64, paths ...string) (string, []byte) {
	if h.repo == nil || h.head.IsZero() {
		return "", nil
	}
	if s := h.earlyStoreForReads(); s != nil {
		// Through the store, as peel does, so that go-git never loads
		// its pack index; go-git remains the fallback.
		if p, data, ok := h.headFileStored(s, maxSize, paths); ok {
			return p, data
		}
	}
	c, err := h.repo.CommitObject(h.head)
	if err != nil {
		return "", nil
	}
	tree, err := c.Tree()
	if err != nil {
		return "", nil
	}
	for _, p := range paths {
		e, err := tree.FindEntry(p)
		if err != nil || !e.Mode.IsFile() || e.Mode == filemode.Symlink {
			continue
		}
		data, err := h.readHeadBlob(e, maxSize)
		if err != nil {
			h.opts.Stats.Warn(h.name()+": HEAD:"+p, err.Error())
			continue
		}
		return p, data
	}
	return "", nil
}

func (h *History) readHeadBlob(e *object.TreeEntry, maxSize int64) ([]byte, error) {
	b, err := h.repo.BlobObject(e.Hash)
	if err != nil {
		return nil, fmt.Errorf("unreadable: %v", err)
	}
	if b.Size > maxSize {
		return nil, fmt.Errorf("%d bytes is larger than %d: not read", b.Size, maxSize)
	}
	r, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("unreadable: %v", err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxSize))
	if err != nil {
		return nil, fmt.Errorf("unreadable: %v", err)
	}
	return data, nil
}

// headFileStored is HeadFile reading from the store. ok is false when an
// object on the way could not be read, for go-git to try.
func (h *History) headFileStored(s *store, maxSize int64, paths []string) (path string, data []byte, ok bool) {
	var z inflater
	kind, raw, err := s.readObject(h.head, &z, 0)
	if err != nil || kind != objCommit {
		return "", nil, false
	}
	c, _, err := parseCommit(h.head, raw)
	if err != nil {
		return "", nil, false
	}
	for _, p := range paths {
		id, mode, found, err := lookupPath(s, &z, c.tree, p)
		if err != nil {
			return "", nil, false
		}
		if !found || !isRegularFileMode(mode) {
			continue
		}
		size, known := s.objectSize(id, &z, maxSize)
		if !known {
			return "", nil, false
		}
		if size > maxSize {
			h.opts.Stats.Warn(h.name()+": HEAD:"+p, fmt.Sprintf("%d bytes is larger than %d: not read", size, maxSize))
			continue
		}
		kind, blob, err := s.readObject(id, &z, 0)
		if err != nil || kind != objBlob {
			return "", nil, false
		}
		return p, blob, true
	}
	return "", nil, true
}

// lookupPath finds a slash-separated path under a tree and returns its
// entry's id and mode.
func lookupPath(s *store, z *inflater, tree plumbing.Hash, path string) (id plumbing.Hash, mode string, found bool, err error) {
	id = tree
	for name := range strings.SplitSeq(path, "/") {
		if mode != "" && mode != "40000" {
			return id, "", false, nil // a file where a folder was needed
		}
		kind, data, err := s.readObject(id, z, 0)
		if err != nil {
			return id, "", false, err
		}
		if kind != objTree {
			return id, "", false, errBadObject
		}
		found = false
		if err := forEachTreeEntry(data, func(n, m []byte, _ int, raw []byte) {
			if !found && string(n) == name {
				found, mode = true, string(m)
				copy(id[:], raw)
			}
		}); err != nil {
			return id, "", false, err
		}
		if !found {
			return id, "", false, nil
		}
	}
	return id, mode, found, nil
}

// isRegularFileMode reports a plain or executable file: not a symbolic
// link, a folder or a submodule.
func isRegularFileMode(mode string) bool {
	return mode == "100644" || mode == "100755" || mode == "100664"
}
