// Package archive builds and extracts job artifacts: zip archives of the
// files an `artifacts:paths` / `exclude` pair selects (GitLab's
// doublestar globbing), gzip streams for reports such as dotenv, and a
// zip extractor that cannot write outside its target directory.
package archive

import (
	"fmt"
	"path"
	"strings"
)

// Match reports whether the slash-separated relative name matches pattern
// as GitLab's artifact globs do: `*`, `?` and `[…]` match within one path
// segment, and a `**` segment matches any number of segments, none
// included. A malformed pattern is an error.
func Match(pattern, name string) (bool, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return false, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/")), nil
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse repeated ** and try every split point.
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := range len(name) + 1 {
				if matchSegments(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		ok, _ := path.Match(pat[0], name[0])
		if !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// cleanPattern normalises a pattern relative to the project directory
// ("./bin/" → "bin"); ok is false for a pattern outside it.
func cleanPattern(p string) (string, bool) {
	p = strings.TrimSpace(p)
	if p == "" || strings.HasPrefix(p, "/") {
		return "", false
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", false
	}
	return c, true
}
