// Package masker is jobrun's log filter: an io.Writer that replaces every
// secret, its derived forms (base64, percent-encoding, JSON escaping, the
// lines of a multi-line value), every token after a known prefix (glpat-…),
// URL passwords and sensitive query parameters with [MASKED] before the
// bytes reach the writer underneath.
//
// It is built so that it cannot leak (reference/masking.md, cases A–I):
// the output does not depend on how the input is split into writes; the
// union of overlapping matches becomes one [MASKED]; bytes are never
// reordered; only bytes that may still begin a match are held back, and at
// Close a held tail that begins like a secret is masked, not released.
//
// What is held back after a Write: the longest tail that is a proper
// prefix of a needle (at most the longest needle − 1 bytes); an unfinished
// terminal escape sequence (at most 512 bytes); in a URL whose authority
// has not ended yet, what follows "user:" (at most 256 bytes; a longer
// one is taken for a password and masked as it arrives). A tail that may
// begin a trigger ("glp", "https://host") is written but kept to be
// searched again with the next write; the value after a token prefix or
// query parameter is never held: it is masked as it arrives. A [MASKED]
// takes in an unfinished escape sequence right before it, which it would
// otherwise finish ("ESC [" + "[MASKED]" shows as "MASKED]").
//
// Like escape sequences, the line breaks that base64 tools wrap their
// output with (after a line of exactly 64 or 76 base64 characters that
// more base64 follows; wrap.go) are invisible to matching, so a secret
// inside a wrapped blob is found; its [MASKED] takes the line break with
// it, joining the two lines. A line break that ends a write after such a
// line waits for the next byte, which decides it.
//
// The package has two halves: the policy in this file and derive.go
// (minimum length, derived forms, prefixes) turns secrets into needles;
// the matcher (matcher.go and index.go: fixed needles; patterns.go and
// find.go: triggers and their values, found 32 bytes at a time by
// find_amd64.s where the CPU has AVX2; escape.go and wrap.go: the view
// without escapes and wrap breaks) and
// the stream (stream.go) find and replace them and know nothing about
// secrets.
package masker

import (
	"fmt"
	"io"
	"sync"
)

// Mask replaces every masked span.
const Mask = "[MASKED]"

// DefaultMinLength is the shortest secret AddSecret accepts unless
// Options.MinLength says otherwise; AbsoluteMinLength is the floor no
// option can go below (leak H: masking a 3-letter value reveals it).
const (
	DefaultMinLength  = 8
	AbsoluteMinLength = 4
)

// Options is the masking policy. The zero value is usable: minimum length
// 8, GitLab's token prefixes, derived forms on.
type Options struct {
	// MinLength is the floor for AddSecret; 0 means 8, values below 4 are
	// raised to 4.
	MinLength int
	// Prefixes are extra token prefixes (e.g. "ghp_", "xoxb-") masked on
	// top of GitLab's built-in list; each needs at least 2 bytes.
	Prefixes []string
	// DisableDerived masks only the values themselves, not their encodings.
	DisableDerived bool
}

// Masker is a streaming masking filter in front of dst. Its methods are
// safe for concurrent use; concurrent writes are masked as one stream in
// the order they acquire the masker.
type Masker struct {
	mu      sync.Mutex
	dst     io.Writer
	opts    Options
	needles [][]byte
	seen    map[string]struct{}
	trig    *triggers
	match   *matcher // rebuilt lazily after secrets are added
	stream  streamState
}

// New returns a masker that writes the masked stream to dst. Prefixes
// shorter than 2 bytes are ignored (a 1-byte prefix would swallow words).
func New(dst io.Writer, opts Options) *Masker {
	if opts.MinLength == 0 {
		opts.MinLength = DefaultMinLength
	}
	opts.MinLength = max(opts.MinLength, AbsoluteMinLength)
	var list []trigger
	for _, p := range gitLabPrefixes {
		list = append(list, trigger{text: []byte(p), kind: tokenBody})
	}
	for _, p := range opts.Prefixes {
		if len(p) >= 2 {
			list = append(list, trigger{text: []byte(p), kind: tokenBody})
		}
	}
	for _, p := range queryParams {
		list = append(list, trigger{text: []byte(p), fold: true, kind: queryValue})
	}
	list = append(list, trigger{text: []byte("://"), kind: authority})
	return &Masker{dst: dst, opts: opts, seen: map[string]struct{}{}, trig: newTriggers(list), stream: newStreamState()}
}

// AddSecret registers a value a jobrun user supplied (exec --secret, mask).
// A value shorter than the minimum length is refused with an error that
// names name and the length, never the value.
func (m *Masker) AddSecret(name, value string) error {
	if value == "" {
		return fmt.Errorf("secret %s is empty", name)
	}
	if len(value) < m.opts.MinLength {
		return fmt.Errorf("secret %s is %d bytes long, shorter than the minimum of %d: masking so short a value everywhere would reveal it", name, len(value), m.opts.MinLength)
	}
	m.add(value)
	return nil
}

// AddMasked registers a value a GitLab instance marked as masked (or the
// job token): it is always masked, however short. The warning, empty when
// all is well, names name, never the value.
func (m *Masker) AddMasked(name, value string) (warning string) {
	if value == "" {
		return fmt.Sprintf("masked variable %s is empty: nothing to mask", name)
	}
	m.add(value)
	if len(value) < DefaultMinLength {
		return fmt.Sprintf("masked variable %s is only %d bytes long: it is masked, but where [MASKED] appears may reveal it", name, len(value))
	}
	return ""
}

func (m *Masker) add(value string) {
	v := []byte(value)
	forms := [][]byte{v}
	if !m.opts.DisableDerived {
		forms = derivedForms(v)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, f := range forms {
		// A derived form shorter than the value (or than 8 bytes) would
		// mask ordinary words and show where the value begins (a shell's
		// "a  b" → "a b"): it adds holes, not safety.
		if i > 0 && len(f) < min(len(v), DefaultMinLength) {
			continue
		}
		if _, dup := m.seen[string(f)]; dup {
			continue
		}
		m.seen[string(f)] = struct{}{}
		m.needles = append(m.needles, f)
	}
	m.match = nil
}

// matcher returns the matcher for the current needles; m.mu is held.
func (m *Masker) matcher() *matcher {
	if m.match == nil {
		m.match = newMatcher(m.needles)
	}
	return m.match
}
