package pipeline

import (
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// yamlVariable is one entry of a `variables:` block.
type yamlVariable struct {
	Key    string
	Value  string
	Raw    bool // expand: false
	Pos    Pos
	Desc   string
	Option []string
}

// parseVariables reads a `variables:` mapping: values are strings, numbers
// or {value, description, options, expand}.
func parseVariables(n *Node, what string) ([]yamlVariable, error) {
	if n == nil || n.IsNull() {
		return nil, nil
	}
	if err := mustMap(n, what); err != nil {
		return nil, err
	}
	out := make([]yamlVariable, 0, len(n.Pairs))
	for _, p := range n.Pairs {
		v := yamlVariable{Key: p.Key, Pos: p.KeyPos}
		if !validVarName(p.Key) {
			return nil, &Error{Pos: p.KeyPos, Msg: "variable name " + quote(p.Key) + " is not valid; expected letters, digits and _"}
		}
		switch {
		case p.Val.IsNull():
		case p.Val.Kind == Scalar:
			v.Value = p.Val.Value
		case p.Val.Kind == Map:
			if err := checkKeys(p.Val, "variable "+p.Key, "value", "description", "options", "expand"); err != nil {
				return nil, err
			}
			var err error
			if v.Value, err = scalarString(p.Val.Get("value"), "variables:"+p.Key+":value"); err != nil {
				return nil, err
			}
			if v.Desc, err = asString(p.Val.Get("description"), "variables:"+p.Key+":description"); err != nil {
				return nil, err
			}
			if v.Option, err = asStrings(p.Val.Get("options"), "variables:"+p.Key+":options"); err != nil {
				return nil, err
			}
			if e := p.Val.Get("expand"); e != nil {
				expand, err := asBool(e, "variables:"+p.Key+":expand")
				if err != nil {
					return nil, err
				}
				v.Raw = !expand
			}
		default:
			return nil, errAt(p.Val, "variable %s is %s; expected a string, a number or {value, description, options, expand}", p.Key, p.Val.Describe())
		}
		out = append(out, v)
	}
	return out, nil
}

// scalarString reads a string, number or boolean as its text.
func scalarString(n *Node, what string) (string, error) {
	if n == nil || n.IsNull() {
		return "", nil
	}
	if n.Kind != Scalar {
		return "", errAt(n, "%s is %s; expected a string or a number", what, n.Describe())
	}
	return n.Value, nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

func quote(s string) string { return `"` + s + `"` }

// setYAML adds a `variables:` block to vs: YAML variables are public,
// and `expand: false` ones are raw.
func setYAML(vs *job.Variables, yvs []yamlVariable) {
	for _, v := range yvs {
		vs.Set(job.Variable{Key: v.Key, Value: v.Value, Public: true, Raw: v.Raw})
	}
}

// expandedLookup returns a Lookup that sees every variable with $VAR and
// ${VAR} references in its value expanded (raw ones are kept as written),
// the view GitLab uses for rules and for the keywords it expands.
func expandedLookup(vs job.Variables) Lookup {
	index := make(map[string]int, len(vs))
	for i, v := range vs {
		index[v.Key] = i
	}
	cache := map[string]string{}
	var resolve func(name string, depth int) (string, bool)
	resolve = func(name string, depth int) (string, bool) {
		i, ok := index[name]
		if !ok {
			return "", false
		}
		if s, ok := cache[name]; ok {
			return s, true
		}
		v := vs[i]
		if v.Raw || v.File || depth > 10 || !strings.Contains(v.Value, "$") {
			return v.Value, true
		}
		s := expand(v.Value, func(n string) (string, bool) {
			if n == name {
				return "", false
			}
			return resolve(n, depth+1)
		})
		cache[name] = s
		return s, true
	}
	return func(name string) (string, bool) { return resolve(name, 0) }
}

// expand replaces $VAR and ${VAR} in s; an unknown variable becomes empty
// and $$ is a literal $, as GitLab Runner's expansion does.
func expand(s string, vars Lookup) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		next := s[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i++
		case next == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			v, _ := vars(s[i+2 : i+2+end])
			b.WriteString(v)
			i += end + 2
		case isNameByte(next):
			j := i + 1
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			v, _ := vars(s[i+1 : j])
			b.WriteString(v)
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// expandExisting replaces only the variables that are defined and leaves
// the others as written, as GitLab does for keywords it expands before the
// runner sees them (image, services, environment, cache keys).
func expandExisting(s string, vars Lookup) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return expand(strings.ReplaceAll(s, "$$", "$$$$"), func(name string) (string, bool) {
		if v, ok := vars(name); ok {
			return v, true
		}
		return "${" + name + "}", true
	})
}
