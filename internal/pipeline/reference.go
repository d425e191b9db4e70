package pipeline

import "strings"

// maxReferenceDepth is GitLab's limit on nested !reference tags.
const maxReferenceDepth = 10

// references replaces every `!reference [key, subkey, ...]` with the value
// it points at, which may itself hold references.
func (c *compiler) references() error {
	r := &refResolver{root: c.root, done: map[*Node]*Node{}}
	root, err := r.walk(c.root, nil)
	if err != nil {
		return err
	}
	c.root = root
	return nil
}

type refResolver struct {
	root *Node
	done map[*Node]*Node
}

// walk returns n with references resolved; unchanged subtrees are shared.
func (r *refResolver) walk(n *Node, stack []string) (*Node, error) {
	if v, ok := r.done[n]; ok {
		return v, nil
	}
	out := n
	switch {
	case n.Kind == Seq && n.Tag == tagReference:
		v, err := r.follow(n, stack)
		if err != nil {
			return nil, err
		}
		out = v
	case n.Kind == Seq:
		for i, it := range n.Items {
			v, err := r.walk(it, stack)
			if err != nil {
				return nil, err
			}
			if v != it {
				if out == n {
					out = &Node{Kind: Seq, Tag: n.Tag, Pos: n.Pos, Items: append([]*Node(nil), n.Items...)}
				}
				out.Items[i] = v
			}
		}
	case n.Kind == Map:
		for i, p := range n.Pairs {
			v, err := r.walk(p.Val, stack)
			if err != nil {
				return nil, err
			}
			if v != p.Val {
				if out == n {
					out = &Node{Kind: Map, Tag: n.Tag, Pos: n.Pos, Pairs: append([]Pair(nil), n.Pairs...)}
				}
				out.Pairs[i].Val = v
			}
		}
	case n.Tag == tagReference:
		return nil, errAt(n, "!reference takes %s; expected a list such as [.job, script]", n.Describe())
	}
	if len(stack) == 0 {
		r.done[n] = out
	}
	return out, nil
}

// follow resolves one !reference node.
func (r *refResolver) follow(n *Node, stack []string) (*Node, error) {
	if len(n.Items) == 0 {
		return nil, errAt(n, "!reference is empty; expected a list such as [.job, script]")
	}
	keys := make([]string, len(n.Items))
	for i, it := range n.Items {
		if it.Kind != Scalar || it.IsNull() {
			return nil, errAt(it, "!reference has an entry that is %s; expected key names", it.Describe())
		}
		keys[i] = it.Value
	}
	path := strings.Join(keys, ".")
	for _, s := range stack {
		if s == path {
			return nil, errAt(n, "circular !reference: %s → %s", strings.Join(stack, " → "), path)
		}
	}
	if len(stack) >= maxReferenceDepth {
		return nil, errAt(n, "!reference is nested more than %d levels deep", maxReferenceDepth)
	}
	target := r.root
	for i, k := range keys {
		next := target.Get(k)
		if next == nil {
			return nil, errAt(n, "!reference [%s]: %q does not exist in %s", strings.Join(keys, ", "), k, strings.Join(append([]string{"the pipeline"}, keys[:i]...), "."))
		}
		target = next
	}
	return r.walk(target, append(stack, path))
}
