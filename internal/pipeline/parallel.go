package pipeline

import (
	"strconv"
	"strings"
)

// maxParallel is GitLab's limit on parallel instances of a job.
const maxParallel = 200

// instance is one job made by `parallel:`.
type instance struct {
	name     string
	parallel *Parallel
	matrix   [][2]string // variables in key order
}

// parseParallel expands `parallel: N` into "name i/N" and
// `parallel: matrix:` into "name: [v1, v2]", GitLab's job names.
func parseParallel(n *Node, name string) ([]instance, error) {
	if n == nil {
		return []instance{{name: name}}, nil
	}
	if n.Kind == Scalar {
		total, err := asInt(n, name+":parallel")
		if err != nil {
			return nil, err
		}
		if total < 1 || total > maxParallel {
			return nil, errAt(n, "%s:parallel is %d; expected 1 to %d", name, total, maxParallel)
		}
		out := make([]instance, total)
		for i := range out {
			out[i] = instance{name: name + " " + strconv.Itoa(i+1) + "/" + strconv.Itoa(total), parallel: &Parallel{Index: i + 1, Total: total}}
		}
		return out, nil
	}
	if err := mustMap(n, name+":parallel"); err != nil {
		return nil, err
	}
	if err := checkKeys(n, name+":parallel", "matrix"); err != nil {
		return nil, err
	}
	matrix := n.Get("matrix")
	if matrix == nil {
		return nil, errAt(n, "%s:parallel has no matrix; expected a number or matrix:", name)
	}
	combos, err := matrixCombos(matrix, name+":parallel:matrix")
	if err != nil {
		return nil, err
	}
	out := make([]instance, len(combos))
	for i, combo := range combos {
		values := make([]string, len(combo))
		m := make(map[string]string, len(combo))
		for k, kv := range combo {
			values[k] = kv[1]
			m[kv[0]] = kv[1]
		}
		out[i] = instance{
			name:     name + ": [" + strings.Join(values, ", ") + "]",
			parallel: &Parallel{Index: i + 1, Total: len(combos), Matrix: m},
			matrix:   combo,
		}
	}
	return out, nil
}

// matrixCombos lists every combination of a matrix, entry by entry; within
// an entry the first key varies slowest.
func matrixCombos(n *Node, what string) ([][][2]string, error) {
	if n == nil || n.Kind != Seq || len(n.Items) == 0 {
		return nil, errAt(n, "%s is %s; expected a list of mappings of variables to values", what, n.Describe())
	}
	var out [][][2]string
	for _, entry := range n.Items {
		if err := mustMap(entry, what+" entry"); err != nil {
			return nil, err
		}
		combos := [][][2]string{nil}
		for _, p := range entry.Pairs {
			values, err := asStrings(p.Val, what+":"+p.Key)
			if err != nil {
				return nil, err
			}
			next := make([][][2]string, 0, len(combos)*len(values))
			for _, c := range combos {
				for _, v := range values {
					combo := append(append([][2]string(nil), c...), [2]string{p.Key, v})
					next = append(next, combo)
				}
			}
			if len(out)+len(next) > maxParallel {
				return nil, errAt(n, "%s makes more than %d jobs; expected at most %d", what, maxParallel, maxParallel)
			}
			combos = next
		}
		out = append(out, combos...)
	}
	return out, nil
}
