package job

// Variable is one CI/CD variable. GitLab sends file and raw only when true.
type Variable struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Public bool   `json:"public"`
	Masked bool   `json:"masked"`
	File   bool   `json:"file,omitempty"`
	Raw    bool   `json:"raw,omitempty"`
}

// Variables is an ordered list; a later entry with the same key wins, as
// in GitLab Runner's JobVariables.Get.
type Variables []Variable

// Get returns the value of the last variable named key, and whether there
// is one.
func (vs Variables) Get(key string) (string, bool) {
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Key == key {
			return vs[i].Value, true
		}
	}
	return "", false
}

// Value returns the value of key, or "" when there is none.
func (vs Variables) Value(key string) string {
	v, _ := vs.Get(key)
	return v
}

// Set replaces the last variable named key or appends v.
func (vs *Variables) Set(v Variable) {
	for i := len(*vs) - 1; i >= 0; i-- {
		if (*vs)[i].Key == v.Key {
			(*vs)[i] = v
			return
		}
	}
	*vs = append(*vs, v)
}

// MaskedValues returns the values of every masked variable, in order,
// without duplicates or empty values: what the masker must register.
func (vs Variables) MaskedValues() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if v.Masked && v.Value != "" && !seen[v.Value] {
			seen[v.Value] = true
			out = append(out, v.Value)
		}
	}
	return out
}

// Redacted returns a copy with every non-public value (masked, tokens,
// files) replaced by "[MASKED]", for printing a payload.
func (vs Variables) Redacted() Variables {
	out := make(Variables, len(vs))
	for i, v := range vs {
		if v.Masked || !v.Public || v.File {
			v.Value = "[MASKED]"
		}
		out[i] = v
	}
	return out
}
