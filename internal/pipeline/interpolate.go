package pipeline

import (
	"regexp"
	"strings"
)

// inputRef matches $[[ inputs.name ]] with optional | functions.
var inputRef = regexp.MustCompile(`\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*(\|[^\]]*)?\]\]`)

// applyInputs interpolates `$[[ inputs.NAME ]]` in an included file
// (a local CI/CD component or template with a `spec:inputs` header) with
// the include's `inputs:` and the header's defaults.
func applyInputs(f *parsedFile, inputs, inc *Node) (*Node, error) {
	if f.spec == nil {
		if inputs != nil {
			return nil, errAt(inputs, "include passes inputs, but the file has no `spec: inputs:` header; expected a header document declaring them")
		}
		return f.node, nil
	}
	values, err := inputValues(f.spec.Get("inputs"), inputs, inc)
	if err != nil {
		return nil, err
	}
	return interpolate(f.node, values)
}

// inputValues checks the given inputs against the declared ones and
// fills in defaults.
func inputValues(spec, given, inc *Node) (map[string]*Node, error) {
	if given != nil {
		if err := mustMap(given, "include:inputs"); err != nil {
			return nil, err
		}
		for _, p := range given.Pairs {
			if spec.Get(p.Key) == nil {
				return nil, &Error{Pos: p.KeyPos, Msg: "unknown input " + quote(p.Key) + "; the file's spec:inputs does not declare it"}
			}
		}
	}
	values := map[string]*Node{}
	if spec == nil {
		return values, nil
	}
	if err := mustMap(spec, "spec:inputs"); err != nil {
		return nil, err
	}
	for _, p := range spec.Pairs {
		v := given.Get(p.Key)
		if v == nil {
			v = p.Val.Get("default")
		}
		if v == nil {
			return nil, errAt(inc, "input %q is required by the included file (spec:inputs at %s); expected it under inputs:", p.Key, p.KeyPos)
		}
		if opts, err := asStrings(p.Val.Get("options"), "spec:inputs:"+p.Key+":options"); err != nil {
			return nil, err
		} else if len(opts) > 0 && (v.Kind != Scalar || !contains(opts, v.Value)) {
			return nil, errAt(v, "input %q is %q; expected one of: %s", p.Key, v.Value, strings.Join(opts, ", "))
		}
		values[p.Key] = v
	}
	return values, nil
}

// interpolate replaces input references in keys and values; a value that
// is exactly one reference takes the input's own type (number, list...).
func interpolate(n *Node, values map[string]*Node) (*Node, error) {
	switch n.Kind {
	case Scalar:
		if !strings.Contains(n.Value, "$[[") {
			return n, nil
		}
		if m := inputRef.FindStringSubmatchIndex(n.Value); m != nil && m[0] == 0 && m[1] == len(n.Value) && m[4] < 0 {
			if v, ok := values[n.Value[m[2]:m[3]]]; ok {
				return v, nil
			}
		}
		s, err := interpolateString(n, n.Value, values)
		if err != nil {
			return nil, err
		}
		return &Node{Kind: Scalar, Tag: "!!str", Value: s, Pos: n.Pos}, nil
	case Seq:
		out := &Node{Kind: Seq, Tag: n.Tag, Pos: n.Pos, Items: make([]*Node, len(n.Items))}
		for i, it := range n.Items {
			v, err := interpolate(it, values)
			if err != nil {
				return nil, err
			}
			out.Items[i] = v
		}
		return out, nil
	}
	out := &Node{Kind: Map, Tag: n.Tag, Pos: n.Pos, Pairs: make([]Pair, len(n.Pairs))}
	for i, p := range n.Pairs {
		key, err := interpolateString(n, p.Key, values)
		if err != nil {
			return nil, err
		}
		v, err := interpolate(p.Val, values)
		if err != nil {
			return nil, err
		}
		out.Pairs[i] = Pair{Key: key, KeyPos: p.KeyPos, Val: v}
	}
	return out, nil
}

func interpolateString(at *Node, s string, values map[string]*Node) (string, error) {
	if !strings.Contains(s, "$[[") {
		return s, nil
	}
	var firstErr error
	out := inputRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := inputRef.FindStringSubmatch(ref)
		v, ok := values[m[1]]
		switch {
		case firstErr != nil:
		case !ok:
			firstErr = errAt(at, "unknown input %q in %s; expected one declared in spec:inputs", m[1], ref)
		case m[2] != "":
			firstErr = errAt(at, "input functions (%s) are not supported locally; expected a plain $[[ inputs.%s ]]", strings.TrimSpace(m[2]), m[1])
		case v.Kind != Scalar:
			firstErr = errAt(at, "input %q is %s and cannot be part of a string", m[1], v.Describe())
		default:
			return v.Value
		}
		return ref
	})
	return out, firstErr
}
