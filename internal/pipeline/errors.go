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

// checkKeys reports the first key of a mapping that is not allowed.
func checkKeys(n *Node, what string, allowed ...string) error {
	for _, p := range n.Pairs {
		ok := false
		for _, a := range allowed {
			if p.Key == a {
				ok = true
				break
			}
		}
		if !ok {
			return &Error{Pos: p.KeyPos, Msg: fmt.Sprintf("unknown keyword %q in %s; expected one of: %s", p.Key, what, strings.Join(allowed, ", "))}
		}
	}
	return nil
}

func mustMap(n *Node, what string) error {
	if n == nil || n.Kind != Map {
		return errAt(n, "%s is %s; expected a mapping", what, n.Describe())
	}
	return nil
}
