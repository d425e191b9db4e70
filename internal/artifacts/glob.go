// Package artifacts picks a job's artifact files the way GitLab Runner
// does — `artifacts:paths` and `exclude` globs with `**`, a path naming a
// directory takes all of it, `untracked` adds every file git does not
// track — and copies them between a job's directory and a store.
package artifacts

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// pattern is one compiled artifacts glob.
type pattern struct {
	source string
	re     *regexp.Regexp
}

// compile turns a glob relative to the project directory into a regular
// expression over slash-separated relative paths: `*` and `?` stay
// inside one path segment, a `**` segment spans any number of them,
// `[...]` is a character class.
func compile(glob string) (pattern, error) {
	clean := path.Clean(strings.TrimPrefix(strings.TrimSpace(glob), "./"))
	if glob == "" || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") || path.IsAbs(clean) {
		return pattern{}, fmt.Errorf("artifact path %q: expected a path inside the project directory", glob)
	}
	var b strings.Builder
	b.WriteString("^")
	segments := strings.Split(clean, "/")
	for i, seg := range segments {
		last := i == len(segments)-1
		if seg == "**" {
			if last {
				b.WriteString(".*")
			} else {
				b.WriteString("(?:[^/]+/)*")
			}
			continue
		}
		if err := segmentRegexp(&b, seg, glob); err != nil {
			return pattern{}, err
		}
		if !last {
			b.WriteString("/")
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return pattern{}, fmt.Errorf("artifact path %q: %v", glob, err)
	}
	return pattern{source: glob, re: re}, nil
}

func segmentRegexp(b *strings.Builder, seg, glob string) error {
	for i := 0; i < len(seg); i++ {
		switch c := seg[i]; c {
		case '*':
			b.WriteString("[^/]*")
		case '?':
			b.WriteString("[^/]")
		case '[':
			end := strings.IndexByte(seg[i+1:], ']')
			if end < 0 {
				return fmt.Errorf("artifact path %q: column %d: '[' without a closing ']'", glob, strings.Index(glob, seg)+i+1)
			}
			class := seg[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		case '\\':
			if i+1 < len(seg) {
				i++
				b.WriteString(regexp.QuoteMeta(seg[i : i+1]))
			}
		default:
			b.WriteString(regexp.QuoteMeta(seg[i : i+1]))
		}
	}
	return nil
}

// matches reports whether rel, or a directory above it, matches: naming
// a directory takes everything under it.
func (p pattern) matches(rel string) bool {
	for {
		if p.re.MatchString(rel) {
			return true
		}
		i := strings.LastIndexByte(rel, '/')
		if i < 0 {
			return false
		}
		rel = rel[:i]
	}
}
