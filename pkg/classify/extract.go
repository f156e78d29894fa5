package classify

import (
	"bytes"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Leaf is one key with its scalar value, wherever the format keeps it.
type Leaf struct {
	// Path is the dotted structure path ("spec.data[0].remoteRef.key");
	// for line formats it is the section and key ("database.password").
	Path string
	// Key is the name the value goes by: the last path segment, or the
	// entry's name for {name: X, value|valueFrom: ...} pairs.
	Key   string
	Value string
	// Line is 1-based within the chunk; Start and End are the value's
	// byte span in the chunk.
	Line       int
	Start, End int
}

// Format names a parsed file format.
type Format string

// Formats the classifier parses; "" means unstructured (code, text).
const (
	FormatYAML       Format = "YAML"
	FormatJSON       Format = "JSON"
	FormatTOML       Format = "TOML"
	FormatDotenv     Format = ".env"
	FormatProperties Format = "properties"
	FormatHCL        Format = "HCL"
	FormatDockerfile Format = "Dockerfile"
	FormatINI        Format = "INI"
)

// FormatOf picks a format from a file's name. Content sniffing is not
// needed: config formats are named by convention, and a wrong guess only
// falls back to the line-based extractor.
func FormatOf(p string) Format {
	base := strings.ToLower(path.Base(p))
	ext := path.Ext(base)
	switch {
	case ext == ".yaml" || ext == ".yml" || strings.HasSuffix(base, ".yaml.tpl") || strings.HasSuffix(base, ".yml.tpl"):
		return FormatYAML
	case ext == ".json" || base == ".babelrc" || strings.HasSuffix(base, ".json.tpl"):
		return FormatJSON
	case ext == ".toml":
		return FormatTOML
	case base == ".env" || strings.HasPrefix(base, ".env.") || ext == ".env" || base == ".envrc":
		return FormatDotenv
	case ext == ".properties":
		return FormatProperties
	case ext == ".tf" || ext == ".tfvars" || ext == ".hcl":
		return FormatHCL
	case base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || ext == ".dockerfile" || base == "containerfile":
		return FormatDockerfile
	case ext == ".ini" || ext == ".cfg" || ext == ".conf" || base == ".npmrc" || base == ".pypirc":
		return FormatINI
	}
	return ""
}

// Extract returns the key/value leaves of a chunk in the given format,
// and whether a real parser (rather than the line fallback) produced them.
func Extract(f Format, data []byte) (leaves []Leaf, parsed bool) {
	return extract(f, data, newLineIndex(data))
}

// extract is Extract with the chunk's line index, which the caller goes on
// using for its own offsets, so that it is built once.
func extract(f Format, data []byte, lines *lineIndex) (leaves []Leaf, parsed bool) {
	switch f {
	case FormatYAML:
		if docs, err := parseYAML(data, lines); err == nil {
			for _, d := range docs {
				leaves = walkTree(d, "", "", leaves)
			}
			return sortLeaves(leaves), true
		}
		return extractLines(data, yamlLine, false), false
	case FormatJSON:
		if n, err := parseJSON(data, lines); err == nil {
			return sortLeaves(walkTree(n, "", "", nil)), true
		}
		return extractLines(data, jsonLine, false), false
	case FormatTOML, FormatINI, FormatProperties, FormatDotenv:
		return extractLines(data, assignLine, true), true
	case FormatHCL:
		return extractHCL(data), true
	case FormatDockerfile:
		return extractDockerfile(data), true
	}
	return nil, false
}

func sortLeaves(l []Leaf) []Leaf {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Start < l[j].Start })
	return l
}

var (
	// key: value (YAML fallback for templated or truncated documents)
	yamlLine = regexp.MustCompile(`^\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*:\s+(.*?)\s*$`)
	// "key": "value" (JSON fallback)
	jsonLine = regexp.MustCompile(`^\s*"([^"]+)"\s*:\s*(.*?)\s*,?\s*$`)
	// key = value, key: value, export KEY=value (.env, properties, TOML, INI)
	assignLine = regexp.MustCompile(`^\s*(?:export\s+)?["']?([A-Za-z_@][\w.@/:-]*?)["']?\s*[=:]\s*(.*?)\s*$`)
	section    = regexp.MustCompile(`^\s*\[+\s*([^\]]+?)\s*\]+\s*$`)
)

// extractLines is the tolerant line-based extractor: one key and value
// per line, [sections] prefixing keys when sections is set.
func extractLines(data []byte, re *regexp.Regexp, sections bool) []Leaf {
	var out []Leaf
	prefix := ""
	forEachLine(data, func(n, off int, line []byte) {
		s := string(line)
		t := strings.TrimSpace(s)
		if t == "" || t[0] == '#' || t[0] == ';' || t[0] == '!' || strings.HasPrefix(t, "//") {
			return
		}
		if sections {
			if m := section.FindStringSubmatch(s); m != nil {
				prefix = strings.Trim(m[1], `"'`) + "."
				return
			}
		}
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return
		}
		key := s[m[2]:m[3]]
		vs, ve := unquote(s, m[4], m[5])
		out = append(out, Leaf{Path: prefix + key, Key: key, Value: s[vs:ve], Line: n, Start: off + vs, End: off + ve})
	})
	return out
}

// unquote narrows a value span to the text inside matching quotes, or
// cuts a trailing " # comment" from an unquoted value.
func unquote(s string, vs, ve int) (int, int) {
	v := s[vs:ve]
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'' || v[0] == '`') {
		if j := strings.IndexByte(v[1:], v[0]); j >= 0 {
			return vs + 1, vs + 1 + j
		}
	}
	if j := strings.Index(v, " #"); j >= 0 {
		ve = vs + len(strings.TrimRight(v[:j], " \t"))
	}
	v = s[vs:ve]
	if strings.HasSuffix(v, ",") {
		ve--
	}
	return vs, ve
}

var (
	hclAssign = regexp.MustCompile(`^\s*([A-Za-z_][\w-]*)\s*=\s*(.*?)\s*$`)
	hclBlock  = regexp.MustCompile(`^\s*([A-Za-z_][\w-]*)((?:\s+"[^"]*")*)\s*(?:=\s*)?\{\s*$`)
)

// extractHCL reads attribute = value lines, with enclosing block types
// and labels as the path (resource.aws_db_instance.main.password).
func extractHCL(data []byte) []Leaf {
	var out []Leaf
	var stack []string
	forEachLine(data, func(n, off int, line []byte) {
		s := string(line)
		t := strings.TrimSpace(s)
		switch {
		case t == "" || t[0] == '#' || strings.HasPrefix(t, "//"):
			return
		case t == "}" || t == "},":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			return
		}
		if m := hclBlock.FindStringSubmatch(s); m != nil {
			name := m[1]
			for _, l := range strings.Fields(m[2]) {
				name += "." + strings.Trim(l, `"`)
			}
			stack = append(stack, name)
			return
		}
		m := hclAssign.FindStringSubmatchIndex(s)
		if m == nil {
			return
		}
		key := s[m[2]:m[3]]
		vs, ve := unquote(s, m[4], m[5])
		p := strings.Join(append(append([]string{}, stack...), key), ".")
		out = append(out, Leaf{Path: p, Key: key, Value: s[vs:ve], Line: n, Start: off + vs, End: off + ve})
	})
	return out
}

var dockerKV = regexp.MustCompile(`([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)`)

// extractDockerfile reads ENV and ARG instructions in both forms
// (ENV KEY=value ..., ENV KEY value).
func extractDockerfile(data []byte) []Leaf {
	var out []Leaf
	forEachLine(data, func(n, off int, line []byte) {
		s := string(line)
		t := strings.TrimLeft(s, " \t")
		upper := strings.ToUpper(t)
		if !strings.HasPrefix(upper, "ENV ") && !strings.HasPrefix(upper, "ARG ") {
			return
		}
		base := len(s) - len(t) + 4
		rest := s[base:]
		if !strings.Contains(rest, "=") {
			f := strings.Fields(rest)
			if len(f) >= 2 {
				i := strings.Index(rest, f[1])
				out = append(out, Leaf{Path: f[0], Key: f[0], Value: strings.TrimSpace(rest[i:]), Line: n, Start: off + base + i, End: off + len(strings.TrimRight(s, " \t"))})
			}
			return
		}
		for _, m := range dockerKV.FindAllStringSubmatchIndex(rest, -1) {
			vs, ve := unquote(rest, m[4], m[5])
			out = append(out, Leaf{Path: rest[m[2]:m[3]], Key: rest[m[2]:m[3]], Value: rest[vs:ve], Line: n, Start: off + base + vs, End: off + base + ve})
		}
	})
	return out
}

// forEachLine calls fn with each line's 1-based number, byte offset and
// text (without the line break or a trailing \r).
func forEachLine(data []byte, fn func(n, off int, line []byte)) {
	n, off := 1, 0
	for off <= len(data) {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data) - off
		}
		fn(n, off, bytes.TrimRight(data[off:off+end], "\r"))
		off += end + 1
		n++
	}
}

// lineIndex maps between byte offsets and 1-based lines/columns. It is
// built on first use: most chunks the classifier looks at yield no
// occurrence and are never asked for a line, and building the index for
// each of them was about 5% of a dir scan's CPU.
type lineIndex struct {
	data   []byte
	starts []int // byte offset of each line's start; nil until needed
}

func newLineIndex(data []byte) *lineIndex { return &lineIndex{data: data} }

// lineStarts returns the offsets where the lines begin, building them once.
func (l *lineIndex) lineStarts() []int {
	if l.starts == nil {
		starts := make([]int, 1, bytes.Count(l.data, []byte{'\n'})+1)
		for off := 0; ; {
			i := bytes.IndexByte(l.data[off:], '\n')
			if i < 0 {
				break
			}
			off += i + 1
			starts = append(starts, off)
		}
		l.starts = starts
	}
	return l.starts
}

// lineStart returns the byte offset where a 1-based line begins.
func (l *lineIndex) lineStart(line int) int { return l.lineStarts()[line-1] }

// offset returns the byte offset of a 1-based line and column.
func (l *lineIndex) offset(line, col int) int {
	starts := l.lineStarts()
	if line < 1 || line > len(starts) {
		return 0
	}
	return starts[line-1] + max(col-1, 0)
}

// lineOf returns the 1-based line holding a byte offset.
func (l *lineIndex) lineOf(off int) int {
	starts := l.lineStarts()
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off })
}
