package classify

import (
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// located builds a detect.Finding for a span of the chunk.
func located(ch sources.Chunk, rule *detect.Rule, secret, match string, start, end int, lines *lineIndex) detect.Finding {
	base := max(ch.StartLine, 1) - 1
	line := lines.lineOf(start)
	endLine := lines.lineOf(max(end-1, start))
	return detect.Finding{
		Rule:      rule,
		Secret:    secret,
		Match:     match,
		LineText:  contextLine(ch.Data, start, end),
		Origin:    ch.Origin,
		Line:      base + line,
		Column:    start - lines.lineStart(line) + 1,
		EndLine:   base + endLine,
		EndColumn: max(end-1-lines.lineStart(endLine)+1, 1),
		Offset:    ch.StartOffset + int64(start),
	}
}

// maxContext caps the context line kept with an occurrence.
const maxContext = 400

func contextLine(data []byte, start, end int) string {
	return detect.ContextLine(data, start, end, maxContext)
}
