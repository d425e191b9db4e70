package runnerconfig

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// Pos is a place in a file: 1-based line and column (in bytes).
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// Key is one key of the file as written, with its place. Header keys are
// the [table] and [[array]] lines themselves.
type Key struct {
	// Path is the dotted path in lower case with the index of every
	// array-of-tables entry: "runners.0.docker.privileged".
	Path string
	// Schema is the path in the form of the runner's key table:
	// "runners[].docker.privileged" (case as written).
	Schema string
	// Name is the last segment as written ("Privileged" stays "Privileged").
	Name string
	// Runner is the index of the [[runners]] entry the key belongs to, or -1.
	Runner int
	Pos    Pos
	Header bool
	// Elems are the places of the string elements when the value is an array.
	Elems []Pos
}

// index is the result of the position pass: every key and every comment.
type index struct {
	keys     []Key
	byPath   map[string]int // Key.Path → position in keys
	comments map[int]string // line → comment text (with the leading #)
}

// scanPositions walks the document with go-toml's unstable parser, which,
// unlike BurntSushi/toml, exposes the place of every key and keeps comments.
// It returns an error only for malformed TOML, which the decoder reports
// first in practice.
func scanPositions(data []byte) (*index, error) {
	ix := &index{byPath: map[string]int{}, comments: map[int]string{}}
	w := walker{ix: ix, arrays: map[string]int{}, lineStarts: lineStarts(data)}
	w.p.KeepComments = true
	w.p.Reset(data)
	for w.tooDeep == nil && w.p.NextExpression() {
		e := w.p.Expression()
		w.expression(e)
		for n := e.Next(); n != nil; n = n.Next() {
			if n.Kind == unstable.Comment {
				w.comment(n)
			}
		}
	}
	if w.tooDeep != nil {
		return nil, w.tooDeep
	}
	return ix, w.p.Error()
}

// MaxKeyDepth bounds how deep keys nest (dotted segments, tables, inline
// tables and array indices together). GitLab Runner's deepest key has 12
// levels; the bound stops pathological input before the decoder, whose
// cost grows faster than linearly with key depth.
const MaxKeyDepth = 64

// depthError is a key nested deeper than MaxKeyDepth.
type depthError struct{ pos Pos }

func (e *depthError) Error() string {
	return fmt.Sprintf("keys nested deeper than %d levels: not a GitLab Runner config", MaxKeyDepth)
}

type walker struct {
	p  unstable.Parser
	ix *index
	// current table: indexed lower-case segments and schema segments
	cur, curSchema []string
	arrays         map[string]int // indexed path of an array of tables → entries so far
	tooDeep        *depthError
	// lineStarts are the byte offsets where lines begin: placing a node
	// is a binary search, where the parser's Shape would rescan the
	// document from its start for every key (quadratic on large files).
	lineStarts []int
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func (w *walker) expression(e *unstable.Node) {
	switch e.Kind {
	case unstable.Comment:
		w.comment(e)
	case unstable.Table, unstable.ArrayTable:
		segs, first := w.keySegments(e)
		if len(segs) > MaxKeyDepth {
			w.add(segs, nil, "", first, true, nil) // records the depth error
			return
		}
		w.cur, w.curSchema = w.resolve(segs, e.Kind == unstable.ArrayTable)
		w.add(w.cur, w.curSchema, segs[len(segs)-1], first, true, nil)
	case unstable.KeyValue:
		segs, first := w.keySegments(e)
		w.keyValue(w.cur, w.curSchema, segs, first, e.Value())
	}
}

func (w *walker) keyValue(table, schema, segs []string, first unstable.Position, v *unstable.Node) {
	if w.tooDeep != nil || len(table)+len(segs) > MaxKeyDepth {
		w.add(append(append([]string{}, table...), segs...), nil, "", first, false, nil)
		return
	}
	path := appendLower(table, segs)
	sch := append(append([]string{}, schema...), segs...)
	var elems []Pos
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			kv := it.Node()
			if kv.Kind != unstable.KeyValue {
				continue
			}
			s, f := w.keySegments(kv)
			w.keyValue(path, sch, s, f, kv.Value())
		}
	case unstable.Array:
		it := v.Children()
		for it.Next() {
			el := it.Node()
			switch el.Kind {
			case unstable.Comment:
				w.comment(el)
			case unstable.String:
				elems = append(elems, w.pos(el))
			}
		}
	}
	w.add(path, sch, segs[len(segs)-1], first, false, elems)
}

// resolve turns a header's segments into the indexed path: every prefix
// that names an array of tables refers to its last entry, and a [[header]]
// opens a new entry.
func (w *walker) resolve(segs []string, isArray bool) (path, schema []string) {
	for i, s := range segs {
		path = append(path, strings.ToLower(s))
		schema = append(schema, s)
		key := strings.Join(path, ".")
		if i == len(segs)-1 && isArray {
			w.arrays[key]++
		}
		if n, ok := w.arrays[key]; ok {
			path = append(path, strconv.Itoa(n-1))
			schema[len(schema)-1] += "[]"
		}
	}
	return path, schema
}

func (w *walker) add(path, schema []string, name string, first unstable.Position, header bool, elems []Pos) {
	if len(path) > MaxKeyDepth {
		if w.tooDeep == nil {
			w.tooDeep = &depthError{Pos{Line: first.Line, Col: first.Column}}
		}
		return
	}
	k := Key{
		Path:   strings.Join(path, "."),
		Schema: strings.Join(schema, "."),
		Name:   name,
		Runner: -1,
		Pos:    Pos{Line: first.Line, Col: first.Column},
		Header: header,
		Elems:  elems,
	}
	if len(path) > 1 && path[0] == "runners" {
		if n, err := strconv.Atoi(path[1]); err == nil {
			k.Runner = n
		}
	}
	if _, dup := w.ix.byPath[k.Path]; !dup {
		w.ix.byPath[k.Path] = len(w.ix.keys)
	}
	w.ix.keys = append(w.ix.keys, k)
}

func (w *walker) keySegments(n *unstable.Node) ([]string, unstable.Position) {
	var segs []string
	var first unstable.Position
	it := n.Key()
	for it.Next() {
		k := it.Node()
		if segs == nil {
			p := w.pos(k)
			first = unstable.Position{Offset: int(k.Raw.Offset), Line: p.Line, Column: p.Col}
		}
		segs = append(segs, string(k.Data))
	}
	return segs, first
}

func (w *walker) comment(n *unstable.Node) {
	p := w.pos(n)
	w.ix.comments[p.Line] = string(n.Data)
}

func (w *walker) pos(n *unstable.Node) Pos {
	off := int(n.Raw.Offset)
	line := sort.Search(len(w.lineStarts), func(i int) bool { return w.lineStarts[i] > off })
	return Pos{Line: line, Col: off - w.lineStarts[line-1] + 1}
}

func appendLower(base, segs []string) []string {
	out := make([]string, 0, len(base)+len(segs))
	out = append(out, base...)
	for _, s := range segs {
		out = append(out, strings.ToLower(s))
	}
	return out
}

// String is "line:col".
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }
