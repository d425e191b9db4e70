package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kind is the shape of a Node.
type Kind uint8

// Node kinds. Null is a scalar whose value is YAML null.
const (
	Scalar Kind = iota
	Map
	Seq
)

// tagReference is GitLab's custom YAML tag.
const tagReference = "!reference"

// Pos is where a node starts in its file.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Pair is one key of a mapping.
type Pair struct {
	Key    string
	KeyPos Pos
	Val    *Node
}

// Node is a YAML value with its position, after anchors, aliases, merge
// keys and duplicate keys have been resolved. Nodes are never changed once
// built: merging produces new nodes, so aliased subtrees can be shared.
type Node struct {
	Kind  Kind
	Tag   string // "!!str", "!!int", "!!bool", "!!null", "!!float", "!reference", ...
	Value string
	Pairs []Pair
	Items []*Node
	Pos   Pos
}

// IsNull reports whether n is absent or YAML null.
func (n *Node) IsNull() bool { return n == nil || (n.Kind == Scalar && n.Tag == "!!null") }

// Get returns the value of key in a mapping, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := range n.Pairs {
		if n.Pairs[i].Key == key {
			return n.Pairs[i].Val
		}
	}
	return nil
}

// pair returns the pair of key, or nil.
func (n *Node) pair(key string) *Pair {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := range n.Pairs {
		if n.Pairs[i].Key == key {
			return &n.Pairs[i]
		}
	}
	return nil
}

// Describe names the node's kind for error messages.
func (n *Node) Describe() string {
	switch {
	case n == nil || n.IsNull():
		return "null"
	case n.Kind == Map:
		return "a mapping"
	case n.Kind == Seq:
		return "a list"
	case n.Tag == "!!bool":
		return "a boolean"
	case n.Tag == "!!int" || n.Tag == "!!float":
		return "a number"
	}
	return "a string"
}

// maxNodes bounds the expanded size of a document, so that a "billion
// laughs" of nested aliases is an error rather than an out-of-memory.
const maxNodes = 1 << 20

// parseYAML parses one file into a Node. A file may start with a
// `spec:` header document (CI/CD components); the pipeline is then the
// second document.
func parseYAML(file string, data []byte) (*Node, error) {
	f, err := parseFile(file, data)
	if err != nil {
		return nil, err
	}
	return f.node, nil
}

// parsedFile is one parsed file: its content, its `spec:` header (nil
// when it has none) and where a mapping repeats a key.
type parsedFile struct {
	node *Node
	spec *Node
	dups []string
}

// parseFile parses a file that may start with a `spec:` header document
// and reports repeated keys (GitLab keeps the last value; the user should
// know).
func parseFile(file string, data []byte) (*parsedFile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlError(file, err)
		}
		docs = append(docs, &doc)
		if len(docs) > 2 {
			return nil, &Error{Pos: Pos{File: file}, Msg: "more than two YAML documents; expected one pipeline, optionally after a `spec:` header"}
		}
	}
	out := &parsedFile{node: &Node{Kind: Map, Tag: "!!map", Pos: Pos{File: file, Line: 1, Col: 1}}}
	if len(docs) == 0 {
		return out, nil
	}
	if len(docs) == 2 {
		head, err := newConverter(file).convert(docs[0])
		if err != nil {
			return nil, err
		}
		if head.Kind != Map || head.Get("spec") == nil {
			return nil, &Error{Pos: head.Pos, Msg: "the first of two YAML documents must be a `spec:` header"}
		}
		out.spec = head.Get("spec")
	}
	c := newConverter(file)
	n, err := c.convert(docs[len(docs)-1])
	if err != nil {
		return nil, err
	}
	out.dups = c.dups
	if n.IsNull() {
		out.node.Pos = n.Pos
		return out, nil
	}
	if n.Kind != Map {
		return nil, &Error{Pos: n.Pos, Msg: "the file is " + n.Describe() + "; expected a mapping"}
	}
	out.node = n
	return out, nil
}

// yamlError turns the YAML library's "yaml: line N: msg" into file:line:col.
func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, convErr := strconv.Atoi(rest[:i]); convErr == nil {
				line, msg = n, rest[i+2:]
			}
		}
	}
	pos := Pos{File: file, Line: line, Col: 1}
	if line == 0 {
		pos = Pos{File: file}
	}
	return &Error{Pos: pos, Msg: "malformed YAML: " + msg}
}

// converter turns a yaml.Node tree into Nodes, expanding aliases once.
type converter struct {
	file  string
	done  map[*yaml.Node]*Node
	busy  map[*yaml.Node]bool
	sizes map[*Node]int
	total int
	dups  []string
}

func newConverter(file string) *converter {
	return &converter{file: file, done: map[*yaml.Node]*Node{}, busy: map[*yaml.Node]bool{}, sizes: map[*Node]int{}}
}

func (c *converter) pos(y *yaml.Node) Pos { return Pos{File: c.file, Line: y.Line, Col: y.Column} }

func (c *converter) convert(y *yaml.Node) (*Node, error) {
	// Only anchored nodes can be reached twice (through aliases), so only
	// they are remembered, with their expanded size.
	if y.Anchor == "" {
		n, err := c.build(y)
		if err != nil {
			return nil, err
		}
		return n, c.count(y, 1)
	}
	if n, ok := c.done[y]; ok {
		return n, c.count(y, c.sizes[n]) // a shared subtree counts again
	}
	if c.busy[y] {
		return nil, &Error{Pos: c.pos(y), Msg: "an alias refers to a node that contains it"}
	}
	c.busy[y] = true
	defer delete(c.busy, y)
	before := c.total
	n, err := c.build(y)
	if err != nil {
		return nil, err
	}
	if err := c.count(y, 1); err != nil {
		return nil, err
	}
	c.done[y] = n
	c.sizes[n] = c.total - before
	return n, nil
}

// count adds nodes to the expanded size and enforces maxNodes.
func (c *converter) count(y *yaml.Node, nodes int) error {
	c.total += nodes
	if c.total > maxNodes {
		return &Error{Pos: c.pos(y), Msg: "the document expands to too many nodes (nested aliases)"}
	}
	return nil
}

func (c *converter) build(y *yaml.Node) (*Node, error) {
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &Node{Kind: Scalar, Tag: "!!null", Pos: c.pos(y)}, nil
		}
		return c.convert(y.Content[0])
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, &Error{Pos: c.pos(y), Msg: "unknown alias"}
		}
		return c.convert(y.Alias)
	case yaml.ScalarNode:
		return &Node{Kind: Scalar, Tag: y.ShortTag(), Value: y.Value, Pos: c.pos(y)}, nil
	case yaml.SequenceNode:
		n := &Node{Kind: Seq, Tag: y.ShortTag(), Pos: c.pos(y), Items: make([]*Node, 0, len(y.Content))}
		for _, item := range y.Content {
			v, err := c.convert(item)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
		}
		return n, nil
	case yaml.MappingNode:
		return c.mapping(y)
	}
	return nil, &Error{Pos: c.pos(y), Msg: "unsupported YAML node"}
}

// mapping builds a mapping: merge keys (`<<`) first give defaults, explicit
// keys override them, and a repeated key keeps its first place but takes
// its last value (GitLab's YAML loader behaves so).
func (c *converter) mapping(y *yaml.Node) (*Node, error) {
	n := &Node{Kind: Map, Tag: "!!map", Pos: c.pos(y)}
	index := map[string]int{}
	set := func(p Pair, override bool) {
		if i, ok := index[p.Key]; ok {
			if override {
				c.dups = append(c.dups, fmt.Sprintf("%s: key %q repeats the one at line %d; the last one wins", p.KeyPos, p.Key, n.Pairs[i].KeyPos.Line))
				n.Pairs[i].Val = p.Val
				n.Pairs[i].KeyPos = p.KeyPos
			}
			return
		}
		index[p.Key] = len(n.Pairs)
		n.Pairs = append(n.Pairs, p)
	}
	var merged []Pair
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			ps, err := c.mergeSources(v)
			if err != nil {
				return nil, err
			}
			merged = append(merged, ps...)
			continue
		}
		key, err := c.convert(k)
		if err != nil {
			return nil, err
		}
		if key.Kind != Scalar {
			return nil, &Error{Pos: key.Pos, Msg: "a mapping key is " + key.Describe() + "; expected a string"}
		}
		val, err := c.convert(v)
		if err != nil {
			return nil, err
		}
		set(Pair{Key: key.Value, KeyPos: key.Pos, Val: val}, true)
	}
	for _, p := range merged {
		set(p, false)
	}
	return n, nil
}

// mergeSources returns the pairs a merge key brings in; with a list of
// mappings the earlier ones win.
func (c *converter) mergeSources(v *yaml.Node) ([]Pair, error) {
	src, err := c.convert(v)
	if err != nil {
		return nil, err
	}
	var maps []*Node
	switch src.Kind {
	case Map:
		maps = []*Node{src}
	case Seq:
		maps = src.Items
	}
	var out []Pair
	seen := map[string]bool{}
	for _, m := range maps {
		if m.Kind != Map {
			return nil, &Error{Pos: m.Pos, Msg: "a merge key (<<) takes " + m.Describe() + "; expected a mapping or a list of mappings"}
		}
		for _, p := range m.Pairs {
			if !seen[p.Key] {
				seen[p.Key] = true
				out = append(out, p)
			}
		}
	}
	if src.Kind == Scalar {
		return nil, &Error{Pos: src.Pos, Msg: "a merge key (<<) takes " + src.Describe() + "; expected a mapping or a list of mappings"}
	}
	return out, nil
}

// toYAML converts a Node back to a yaml.Node for printing.
func (n *Node) toYAML() *yaml.Node {
	switch n.Kind {
	case Map:
		y := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, p := range n.Pairs {
			y.Content = append(y.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p.Key}, p.Val.toYAML())
		}
		return y
	case Seq:
		y := &yaml.Node{Kind: yaml.SequenceNode, Tag: n.Tag}
		if n.Tag == "" {
			y.Tag = "!!seq"
		}
		for _, it := range n.Items {
			y.Content = append(y.Content, it.toYAML())
		}
		return y
	}
	tag := n.Tag
	if tag == "!!merge" {
		tag = "!!str"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: n.Value}
}
