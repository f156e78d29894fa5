package git

import (
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Match is one secret the detector found, as the walker needs to know it.
// The walker cannot simply emit chunks and forget them: a blob built as a
// delta keeps its base's matches in the lines it copied, and a finding is
// reported once per commit that introduced it, so the walker must see
// what the detector found. It never looks inside Value.
type Match struct {
	// Offset is the byte offset of the match in the blob or message, Line
	// its 1-based line, Lines how many further lines the match covers.
	Offset int64
	Line   int
	Lines  int
	// Member is where in an archive blob (zip, jar, tar, gzip) the match
	// is, as sources.ReadContent names members ("!/config/app.yml"); it is
	// empty for a plain blob. The finding's path is the blob's path
	// followed by it, as `sprawl dir` shows an archive file's members.
	Member string
	// Key identifies the secret: two matches with the same key are the
	// same secret found by the same rule (e.g. rule id and value).
	Key string
	// Value is the detector's own finding, handed back in Finding.
	Value any
}

// Finder runs the detector on one chunk. It is called from several
// goroutines at once.
type Finder func(sources.Chunk) []Match

// Finding is a match attributed to one commit that introduced it.
type Finding struct {
	// Origin is the path (empty for a commit message) and the commit.
	Origin *sources.Origin
	Match  Match
}

// commitInfo is what attribution needs of a commit.
type commitInfo struct {
	hash    plumbing.Hash
	tree    plumbing.Hash
	parents []plumbing.Hash
	when    int64 // committer time, Unix seconds
}

// commitMeta is a commit's provenance for reports.
type commitMeta struct {
	author, email string
	when          time.Time
	// subject is the message's first non-empty line, which starts at byte
	// subjectAt of the message.
	subject   string
	subjectAt int64
}

// subjectOf finds the subject line of a commit message.
func subjectOf(msg string) (string, int64) {
	lead := len(msg) - len(strings.TrimLeft(msg, "\r\n"))
	line, _, _ := strings.Cut(msg[lead:], "\n")
	return strings.TrimRight(line, "\r"), int64(lead)
}

// redactedSubject cuts the subject where a secret found in the message
// starts: the subject is printed in every report, unredacted otherwise.
func redactedSubject(m commitMeta, found []Match) string {
	s := m.subject
	for _, x := range found {
		cut := x.Offset - m.subjectAt
		if x.Offset >= m.subjectAt && cut <= int64(len(s)) {
			s = s[:cut] + "[REDACTED]"
		}
	}
	return strings.TrimSpace(s)
}
