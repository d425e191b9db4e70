package pipeline

import "strings"

// maxExtendsDepth is GitLab's limit on extends inheritance levels.
const maxExtendsDepth = 11

// topKeywords are the top-level keys that are not jobs.
var topKeywords = map[string]bool{
	"default": true, "include": true, "stages": true, "variables": true, "workflow": true,
	"image": true, "services": true, "cache": true, "before_script": true, "after_script": true,
	"types": true, "spec": true,
}

// extends resolves `extends:` on every top-level job and hidden job: the
// parents are deep-merged in order, then the job itself on top.
func (c *compiler) extends() error {
	r := &extendsResolver{root: c.root, done: map[string]*Node{}}
	out := &Node{Kind: Map, Tag: c.root.Tag, Pos: c.root.Pos, Pairs: make([]Pair, len(c.root.Pairs))}
	for i, p := range c.root.Pairs {
		out.Pairs[i] = p
		if topKeywords[p.Key] || p.Val.Kind != Map {
			continue
		}
		v, err := r.resolve(p.Key, nil)
		if err != nil {
			return err
		}
		out.Pairs[i].Val = v
	}
	c.root = out
	return nil
}

type extendsResolver struct {
	root *Node
	done map[string]*Node
}

func (r *extendsResolver) resolve(name string, chain []string) (*Node, error) {
	if v, ok := r.done[name]; ok {
		return v, nil
	}
	node := r.root.Get(name)
	ext := node.Get("extends")
	if ext == nil {
		return node, nil
	}
	parents, err := asStrings(ext, name+":extends")
	if err != nil {
		return nil, err
	}
	chain = append(chain, name)
	if len(chain) > maxExtendsDepth {
		return nil, errAt(ext, "extends is nested more than %d levels deep: %s", maxExtendsDepth, strings.Join(chain, " → "))
	}
	merged := &Node{Kind: Map, Tag: "!!map", Pos: node.Pos}
	for _, parent := range parents {
		for _, seen := range chain {
			if seen == parent {
				return nil, errAt(ext, "circular extends: %s → %s", strings.Join(chain, " → "), parent)
			}
		}
		target := r.root.Get(parent)
		if target == nil || topKeywords[parent] {
			return nil, errAt(ext, "%s extends %q, which does not exist; expected the name of a job or hidden job", name, parent)
		}
		if target.Kind != Map {
			return nil, errAt(ext, "%s extends %q, which is %s; expected a job or hidden job", name, parent, target.Describe())
		}
		pv, err := r.resolve(parent, chain)
		if err != nil {
			return nil, err
		}
		merged = deepMerge(merged, pv)
	}
	v := deepMerge(merged, without(node, "extends"))
	v.Pos = node.Pos
	r.done[name] = v
	return v, nil
}
