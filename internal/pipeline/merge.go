package pipeline

// deepMerge returns base with over merged in, GitLab's way: mappings merge
// key by key, recursively; anything else in over replaces what base has
// (lists are not concatenated). Neither input is changed.
func deepMerge(base, over *Node) *Node {
	if base == nil || base.Kind != Map || over == nil || over.Kind != Map {
		return over
	}
	out := &Node{Kind: Map, Tag: base.Tag, Pos: over.Pos, Pairs: make([]Pair, len(base.Pairs), len(base.Pairs)+len(over.Pairs))}
	copy(out.Pairs, base.Pairs)
	index := make(map[string]int, len(base.Pairs))
	for i, p := range base.Pairs {
		index[p.Key] = i
	}
	for _, p := range over.Pairs {
		if i, ok := index[p.Key]; ok {
			out.Pairs[i] = Pair{Key: p.Key, KeyPos: p.KeyPos, Val: deepMerge(out.Pairs[i].Val, p.Val)}
			continue
		}
		index[p.Key] = len(out.Pairs)
		out.Pairs = append(out.Pairs, p)
	}
	return out
}

// without returns a mapping without key.
func without(n *Node, key string) *Node {
	if n.pair(key) == nil {
		return n
	}
	out := &Node{Kind: Map, Tag: n.Tag, Pos: n.Pos, Pairs: make([]Pair, 0, len(n.Pairs)-1)}
	for _, p := range n.Pairs {
		if p.Key != key {
			out.Pairs = append(out.Pairs, p)
		}
	}
	return out
}

// with returns a mapping with key set to val (replacing or appending).
func with(n *Node, key string, val *Node) *Node {
	out := &Node{Kind: Map, Tag: n.Tag, Pos: n.Pos, Pairs: make([]Pair, len(n.Pairs), len(n.Pairs)+1)}
	copy(out.Pairs, n.Pairs)
	for i := range out.Pairs {
		if out.Pairs[i].Key == key {
			out.Pairs[i].Val = val
			return out
		}
	}
	out.Pairs = append(out.Pairs, Pair{Key: key, KeyPos: val.Pos, Val: val})
	return out
}
