package pipeline

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is bad input in a pipeline: where it is, what was wrong and what
// was expected. Its text is "file:line:col: message".
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	if e.Pos.File == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

func errAt(n *Node, format string, a ...any) *Error {
	var pos Pos
	if n != nil {
		pos = n.Pos
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, a...)}
}

// The decoding helpers below read typed values out of nodes and name the
// keyword and the expected type when the node does not fit.

func asString(n *Node, what string) (string, error) {
	if n == nil || n.IsNull() {
		return "", nil
	}
	if n.Kind != Scalar {
		return "", errAt(n, "%s is %s; expected a string", what, n.Describe())
	}
	return n.Value, nil
}

func asBool(n *Node, what string) (bool, error) {
	if n == nil || n.IsNull() {
		return false, nil
	}
	if n.Kind == Scalar && n.Tag == "!!bool" {
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err == nil {
			return b, nil
		}
	}
	return false, errAt(n, "%s is %s; expected true or false", what, n.Describe())
}

func asInt(n *Node, what string) (int, error) {
	if n != nil && n.Kind == Scalar && (n.Tag == "!!int" || n.Tag == "!!str") {
		if v, err := strconv.Atoi(strings.TrimSpace(n.Value)); err == nil {
			return v, nil
		}
	}
	return 0, errAt(n, "%s is %s; expected a whole number", what, n.Describe())
}

// asStrings reads a string or a list of strings; nested lists (from
// anchors or !reference) are flattened, as GitLab does for scripts.
func asStrings(n *Node, what string) ([]string, error) {
	if n == nil || n.IsNull() {
		return nil, nil
	}
	if n.Kind == Scalar {
		return []string{n.Value}, nil
	}
	if n.Kind != Seq {
		return nil, errAt(n, "%s is %s; expected a string or a list of strings", what, n.Describe())
	}
	out := make([]string, 0, len(n.Items))
	return appendStrings(out, n, what, 0)
}

func appendStrings(out []string, n *Node, what string, depth int) ([]string, error) {
	if depth > 10 {
		return nil, errAt(n, "%s nests lists more than 10 deep; expected strings", what)
	}
	for _, it := range n.Items {
		switch {
		case it.Kind == Scalar && !it.IsNull():
			out = append(out, it.Value)
		case it.Kind == Seq:
			var err error
			if out, err = appendStrings(out, it, what, depth+1); err != nil {
				return nil, err
			}
		default:
			return nil, errAt(it, "%s has an entry that is %s; expected a string", what, it.Describe())
		}
	}
	return out, nil
}

// checkKeys reports the first key of a mapping that is not allowed,
// suggesting the closest allowed key when there is one.
func checkKeys(n *Node, what string, allowed ...string) error {
	for _, p := range n.Pairs {
		if containsKey(allowed, p.Key) {
			continue
		}
		expected := "expected one of: " + strings.Join(allowed, ", ")
		if best := closest(p.Key, allowed); best != "" {
			expected = "did you mean " + strconv.Quote(best) + "?"
		}
		return &Error{Pos: p.KeyPos, Msg: fmt.Sprintf("unknown keyword %q in %s; %s", p.Key, what, expected)}
	}
	return nil
}

func containsKey(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// closest returns the allowed word within edit distance 2 of s, if any.
func closest(s string, words []string) string {
	best, bestDist := "", 3
	for _, w := range words {
		if d := editDistance(s, w); d < bestDist {
			best, bestDist = w, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func mustMap(n *Node, what string) error {
	if n == nil || n.Kind != Map {
		return errAt(n, "%s is %s; expected a mapping", what, n.Describe())
	}
	return nil
}
