package classify

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// node is a parsed YAML or JSON value with where its text is in the
// chunk, so that both formats share one walker.
type node struct {
	kind       nodeKind
	value      string
	line       int // 1-based, relative to the chunk
	start, end int // byte span of the scalar's text in the chunk
	keys       []string
	children   []*node
}

type nodeKind int

const (
	scalarNode nodeKind = iota
	mapNode
	seqNode
)

// labelKeys are the keys under which a sibling "name" (or secretKey, env)
// names the value: Kubernetes env entries {name, value|valueFrom}, ECS
// {name, valueFrom}, ExternalSecret {secretKey, remoteRef}, Cloud Build
// {versionName, env}.
var labelKeys = map[string]bool{"value": true, "valueFrom": true, "remoteRef": true, "versionName": true}

// labelSources are the sibling keys whose value names an entry.
var labelSources = []string{"name", "secretKey", "env"}

// walkTree flattens a tree into leaves with dotted paths.
func walkTree(n *node, path, label string, out []Leaf) []Leaf {
	switch n.kind {
	case scalarNode:
		key := label
		if key == "" {
			key = lastSegment(path)
		}
		return append(out, Leaf{Path: path, Key: key, Value: n.value, Line: n.line, Start: n.start, End: n.end})
	case seqNode:
		for i, c := range n.children {
			out = walkTree(c, path+"["+strconv.Itoa(i)+"]", label, out)
		}
	case mapNode:
		own := ""
		for _, src := range labelSources {
			for i, k := range n.keys {
				if k == src && n.children[i].kind == scalarNode {
					own = n.children[i].value
				}
			}
			if own != "" {
				break
			}
		}
		for i, k := range n.keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			// Inside a labelled subtree (valueFrom.secretKeyRef.name) the
			// env entry's name stays the key; a new entry starts a new one.
			childLabel := label
			if own != "" && labelKeys[k] {
				childLabel = own
			}
			out = walkTree(n.children[i], p, childLabel, out)
		}
	}
	return out
}

func lastSegment(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		s := path[i+1:]
		if path[i] == '[' {
			// a list item: the key is its list's key
			return lastSegment(path[:i])
		}
		return s
	}
	return path
}

// parseYAML reads every document of a YAML chunk.
func parseYAML(data []byte, lines *lineIndex) ([]*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		if n := fromYAML(&doc, data, lines, 0); n != nil {
			docs = append(docs, n)
		}
	}
}

// maxDepth stops hostile nesting from exhausting the stack.
const maxDepth = 64

func fromYAML(y *yaml.Node, data []byte, lines *lineIndex, depth int) *node {
	if depth > maxDepth {
		return nil
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil
		}
		return fromYAML(y.Content[0], data, lines, depth+1)
	case yaml.AliasNode:
		return nil // aliases repeat a value already walked
	case yaml.ScalarNode:
		start := lines.offset(y.Line, y.Column)
		s, e := locateValue(data, start, y.Value)
		return &node{kind: scalarNode, value: y.Value, line: y.Line, start: s, end: e}
	case yaml.MappingNode:
		n := &node{kind: mapNode, line: y.Line}
		for i := 0; i+1 < len(y.Content); i += 2 {
			c := fromYAML(y.Content[i+1], data, lines, depth+1)
			if c == nil {
				continue
			}
			n.keys = append(n.keys, y.Content[i].Value)
			n.children = append(n.children, c)
		}
		return n
	case yaml.SequenceNode:
		n := &node{kind: seqNode, line: y.Line}
		for _, item := range y.Content {
			if c := fromYAML(item, data, lines, depth+1); c != nil {
				n.children = append(n.children, c)
			}
		}
		return n
	}
	return nil
}

// locateValue finds a scalar's text at or just after start (the parser
// points at an opening quote, and block scalars start on the next line).
func locateValue(data []byte, start int, value string) (int, int) {
	start = min(max(start, 0), len(data))
	first, _, _ := strings.Cut(value, "\n")
	if first == "" {
		return start, start
	}
	limit := min(len(data), start+len(value)+256)
	if i := bytes.Index(data[start:limit], []byte(first)); i >= 0 {
		return start + i, start + i + len(first)
	}
	return start, min(start+len(first), len(data))
}

// parseJSON reads one JSON document with encoding/json's tokenizer, which
// reports byte offsets, so values keep their place in the chunk.
func parseJSON(data []byte, lines *lineIndex) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return jsonValue(dec, data, lines, 0)
}

func jsonValue(dec *json.Decoder, data []byte, lines *lineIndex, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errors.New("json nested too deep")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	end := int(dec.InputOffset())
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: mapNode, line: lines.lineOf(end)}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				c, err := jsonValue(dec, data, lines, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.children = append(n.children, c)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &node{kind: seqNode, line: lines.lineOf(end)}
			for dec.More() {
				c, err := jsonValue(dec, data, lines, depth+1)
				if err != nil {
					return nil, err
				}
				n.children = append(n.children, c)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, errors.New("unexpected json delimiter")
	case string:
		// The token ends at the closing quote; its text starts after the
		// opening quote, which is the last unescaped quote before it.
		s := jsonStringStart(data, end)
		return &node{kind: scalarNode, value: t, line: lines.lineOf(s), start: s, end: max(end-1, s)}, nil
	default:
		v := ""
		if t != nil {
			v = strings.TrimSpace(jsonScalarText(t))
		}
		s := max(end-len(v), 0)
		return &node{kind: scalarNode, value: v, line: lines.lineOf(s), start: s, end: end}, nil
	}
}

func jsonScalarText(t json.Token) string {
	switch v := t.(type) {
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// jsonStringStart returns the offset of the first byte inside the string
// literal whose closing quote is at end-1.
func jsonStringStart(data []byte, end int) int {
	for i := end - 2; i >= 0; i-- {
		if data[i] != '"' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			return i + 1
		}
	}
	return 0
}
