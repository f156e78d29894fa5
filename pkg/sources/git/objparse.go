package git

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

var errBadObject = errors.New("malformed object")

// parseCommit reads the headers attribution needs and returns the
// message. Unknown headers (gpgsig, mergetag, encoding) are skipped.
func parseCommit(h plumbing.Hash, data []byte) (*commitInfo, []byte, error) {
	c := &commitInfo{hash: h}
	haveTree := false
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			nl = len(data)
		}
		line := data[:nl]
		data = data[min(nl+1, len(data)):]
		if len(line) == 0 {
			break
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "tree":
			if !parseHex(val, &c.tree) {
				return nil, nil, errBadObject
			}
			haveTree = true
		case "parent":
			var p plumbing.Hash
			if !parseHex(val, &p) {
				return nil, nil, errBadObject
			}
			c.parents = append(c.parents, p)
		case "committer":
			c.when = signatureTime(val)
		}
	}
	if !haveTree {
		return nil, nil, errBadObject
	}
	return c, data, nil
}

func parseHex(b []byte, h *plumbing.Hash) bool {
	if len(b) != 40 {
		return false
	}
	_, err := hex.Decode(h[:], b)
	return err == nil
}

// signatureTime reads the Unix time of "Name <email> 1700000000 +0100".
func signatureTime(sig []byte) int64 {
	if i := bytes.LastIndexByte(sig, '>'); i >= 0 {
		sig = sig[i+1:]
	}
	f := bytes.Fields(sig)
	if len(f) == 0 {
		return 0
	}
	t, _ := strconv.ParseInt(string(f[0]), 10, 64)
	return t
}

// Tree entry kinds.
const (
	entryBlob = iota
	entryTree
	entryOther // submodule commit
)

// forEachTreeEntry calls fn for each entry of a raw tree object, with its
// octal mode ("100644"; "120000" is a symbolic link). The mode and the
// name are a few bytes each, found with plain loops: the setup of
// bytes.IndexByte cost more than the search across a history's tens of
// millions of entries.
func forEachTreeEntry(data []byte, fn func(name, mode []byte, kind int, id []byte)) error {
	for len(data) > 0 {
		sp := 0
		for sp < len(data) && sp <= 7 && data[sp] != ' ' {
			sp++
		}
		if sp == 0 || sp > 7 || sp == len(data) {
			return errBadObject
		}
		mode := data[:sp]
		rest := data[sp+1:]
		// IndexByte, not a byte loop: git/git's history parses some 40
		// million entries.
		nul := bytes.IndexByte(rest, 0)
		if nul < 0 || nul+21 > len(rest) {
			return errBadObject
		}
		kind := entryBlob
		switch {
		case mode[0] == '4':
			kind = entryTree
		case string(mode) == "160000": // a submodule (no copy: compared in place)
			kind = entryOther
		}
		fn(rest[:nul], mode, kind, rest[nul+1:nul+21])
		data = rest[nul+21:]
	}
	return nil
}

// storeMeta reads a commit's author, date and subject from the store.
func storeMeta(s *store, id plumbing.Hash) commitMeta {
	var z inflater
	kind, data, err := s.readObject(id, &z, 0)
	if err != nil || kind != objCommit {
		return commitMeta{}
	}
	return parseMeta(data)
}

// parseMeta reads the author line and the message subject of a raw commit.
func parseMeta(data []byte) commitMeta {
	var m commitMeta
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		if len(line) == 0 {
			break
		}
		if sig, ok := bytes.CutPrefix(line, []byte("author ")); ok {
			m.author, m.email, m.when = parseSignature(sig)
		}
	}
	m.subject, m.subjectAt = subjectOf(string(data))
	return m
}

// parseSignature reads "Name <email> 1700000000 +0100".
func parseSignature(sig []byte) (name, email string, when time.Time) {
	lt := bytes.IndexByte(sig, '<')
	gt := bytes.LastIndexByte(sig, '>')
	if lt < 0 || gt < lt {
		return strings.TrimSpace(string(sig)), "", time.Time{}
	}
	name = strings.TrimSpace(string(sig[:lt]))
	email = string(sig[lt+1 : gt])
	f := strings.Fields(string(sig[gt+1:]))
	if len(f) == 0 {
		return name, email, time.Time{}
	}
	sec, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return name, email, time.Time{}
	}
	loc := time.UTC
	if len(f) > 1 && len(f[1]) == 5 {
		h, _ := strconv.Atoi(f[1][1:3])
		mi, _ := strconv.Atoi(f[1][3:5])
		off := h*3600 + mi*60
		if f[1][0] == '-' {
			off = -off
		}
		loc = time.FixedZone(f[1], off)
	}
	return name, email, time.Unix(sec, 0).In(loc)
}
