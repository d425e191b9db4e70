package pipeline

import (
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// matchGlob matches a slash-separated path against a GitLab glob:
// `*`, `?` and `[...]` within one path segment, `**` across segments and
// `{a,b}` alternatives (Ruby's File.fnmatch with PATHNAME, DOTMATCH and
// EXTGLOB, which GitLab uses for rules:exists and rules:changes).
func matchGlob(pattern, name string) bool {
	for _, p := range expandBraces(pattern, 0) {
		if matchSegments(strings.Split(strings.TrimPrefix(p, "/"), "/"), strings.Split(name, "/")) {
			return true
		}
	}
	return false
}

func matchSegments(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 1 && pat[1] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 1 {
				return true
			}
			for i := 0; i <= len(segs); i++ {
				if matchSegments(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], segs[0]); err != nil || !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// expandBraces turns "a.{yml,yaml}" into ["a.yml", "a.yaml"].
func expandBraces(p string, depth int) []string {
	open := strings.IndexByte(p, '{')
	if open < 0 || depth > 8 {
		return []string{p}
	}
	level, end := 0, -1
	for i := open; i < len(p) && end < 0; i++ {
		switch p[i] {
		case '{':
			level++
		case '}':
			level--
			if level == 0 {
				end = i
			}
		}
	}
	if end < 0 {
		return []string{p}
	}
	var out []string
	for _, alt := range splitTopLevel(p[open+1 : end]) {
		out = append(out, expandBraces(p[:open]+alt+p[end+1:], depth+1)...)
		if len(out) > 256 {
			break
		}
	}
	return out
}

func splitTopLevel(s string) []string {
	var out []string
	level, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			level++
		case '}':
			level--
		case ',':
			if level == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[{") }

// maxProjectFiles bounds the walk of the project directory.
const maxProjectFiles = 200000

// projectFiles lists the project's files (slash-separated, relative to
// dir, without .git and without directories), once per compilation.
func (c *compiler) projectFiles() []string {
	if c.fileList != nil {
		return *c.fileList
	}
	var out []string
	_ = filepath.WalkDir(c.opts.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil // GitLab matches the repository's files (blobs), not directories
		}
		if len(out) >= maxProjectFiles {
			return filepath.SkipAll
		}
		if rel, relErr := filepath.Rel(c.opts.Dir, p); relErr == nil && rel != "." {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	c.fileList = &out
	return out
}
