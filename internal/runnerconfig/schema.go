package runnerconfig

import (
	_ "embed"
	"strings"
	"sync"
)

// keysTSV is GitLab Runner's key table (path, Go type, kind), copied from
// ../shared/reference/runner-config-keys.tsv: reference data read from
// common/config.go of GitLab Runner v19.4 (commit d79f3e7).
//
//go:embed keys.tsv
var keysTSV string

// Key kinds of the table.
const (
	kindValue        = "value"
	kindTable        = "table"
	kindMap          = "map"
	kindArrayOfTable = "array_of_tables"
)

var schemaOnce = sync.OnceValue(func() map[string]string {
	kinds := map[string]string{}
	for i, line := range strings.Split(keysTSV, "\n") {
		fields := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if i == 0 || len(fields) != 3 {
			continue // header or blank line
		}
		kinds[strings.ToLower(fields[0])] = fields[2]
	}
	return kinds
})

// SchemaKeys is the number of keys in the runner's key table.
func SchemaKeys() int { return len(schemaOnce()) }

// keyStatus says whether the runner reads a key (by its schema path).
type keyStatus int

const (
	keyKnown keyStatus = iota
	// keyUnknown: the runner ignores the key, and its parent is known.
	keyUnknown
	// keyUnderUnknown: the key sits below an unknown key; only the
	// top-most unknown key is worth a report.
	keyUnderUnknown
)

// classify matches a schema path case-insensitively, as the runner's
// decoder does. Keys below a map or a free-form value (labels,
// plugin_config, feature_flags, tmpfs ...) are known.
func classify(schema string) keyStatus {
	kinds := schemaOnce()
	lower := strings.ToLower(schema)
	if _, ok := kinds[strings.TrimSuffix(lower, "[]")]; ok {
		return keyKnown
	}
	parent := lower
	for depth := 0; ; depth++ {
		i := strings.LastIndexByte(parent, '.')
		if i < 0 {
			if depth == 0 {
				return keyUnknown
			}
			return keyUnderUnknown
		}
		parent = parent[:i]
		kind, ok := kinds[strings.TrimSuffix(parent, "[]")]
		if !ok {
			continue
		}
		switch kind {
		case kindMap, kindValue:
			return keyKnown
		}
		if depth == 0 {
			return keyUnknown
		}
		return keyUnderUnknown
	}
}
