package git

import (
	"fmt"
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
