package runnerconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/pelletier/go-toml/v2/unstable"
)

// File is one decoded config.toml.
type File struct {
	Path   string
	Config Config
	// Lines are the source lines, for showing the offending line.
	Lines []string
	// Keys are all keys and table headers, in file order.
	Keys []Key
	// Unknown are the keys GitLab Runner would silently ignore (the
	// top-most one when a whole table is unknown), in file order.
	Unknown []Key

	ix *index
}

// Error is malformed input: a place in a file and what was expected.
type Error struct {
	Path string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Pos.Line, e.Pos.Col, e.Msg)
}

// MaxFileSize bounds the input: real runner configs are a few KiB.
const MaxFileSize = 16 << 20

// ReadFile reads and decodes the config.toml at path. An unreadable file is
// an error naming the path (errors.Is(err, fs.ErrNotExist) works); malformed
// TOML or a value of the wrong type is an *Error.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, first
		}
		return nil, fmt.Errorf("%s: cannot read the file: %w", path, err)
	}
	return Parse(path, data)
}

// Parse decodes data, naming it path in errors and positions.
func Parse(path string, data []byte) (*File, error) {
	f := &File{Path: path}
	// A UTF-8 byte order mark is invisible to editors and accepted by the
	// runner's decoder; go-toml's parser would stop at it.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// The position pass first: its parser stops at the first syntax
	// error with an exact place, and the decoder's type errors are
	// placed by looking their line up in its index.
	if len(data) > MaxFileSize {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("file is larger than %d MiB: not a GitLab Runner config", MaxFileSize>>20)}
	}
	ix, err := scanPositions(data)
	var deep *depthError
	if errors.As(err, &deep) {
		return nil, &Error{Path: path, Pos: deep.pos, Msg: deep.Error()}
	}
	if err != nil {
		return nil, syntaxError(path, data, err)
	}
	f.ix = ix
	f.Keys = ix.keys
	if _, err := toml.Decode(string(data), &f.Config); err != nil {
		return nil, f.decodeError(err)
	}
	f.Lines = strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for _, k := range f.Keys {
		if classify(k.Schema) == keyUnknown {
			f.Unknown = append(f.Unknown, k)
		}
	}
	return f, nil
}

func syntaxError(path string, data []byte, err error) error {
	var pe *unstable.ParserError
	if errors.As(err, &pe) && len(pe.Highlight) > 0 {
		var p unstable.Parser
		p.Reset(data)
		s := p.Shape(p.Range(pe.Highlight)).Start
		return &Error{Path: path, Pos: Pos{Line: s.Line, Col: s.Column}, Msg: "invalid TOML: " + pe.Message}
	}
	return &Error{Path: path, Msg: "invalid TOML: " + err.Error()}
}

// typeErrorRE matches BurntSushi's decode errors that are not ParseErrors:
// `toml: line 12 (last key "runners.docker.privileged"): incompatible types: ...`.
var typeErrorRE = regexp.MustCompile(`^toml: (?:line (\d+) )?(?:\(last key "([^"]*)"\): )?(.*)$`)

func (f *File) decodeError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.LastKey != "" {
			msg = fmt.Sprintf("key %q: %s", pe.LastKey, msg)
		}
		return &Error{Path: f.Path, Pos: Pos{Line: pe.Position.Line, Col: pe.Position.Col}, Msg: msg}
	}
	m := typeErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{Path: f.Path, Msg: err.Error()}
	}
	e := &Error{Path: f.Path, Msg: m[3]}
	if m[2] != "" {
		e.Msg = fmt.Sprintf("key %q: %s", m[2], m[3])
	}
	if line, convErr := strconv.Atoi(m[1]); convErr == nil {
		e.Pos = Pos{Line: line, Col: 1}
		for _, k := range f.Keys {
			if k.Pos.Line == line {
				e.Pos.Col = k.Pos.Col
				break
			}
		}
	}
	return e
}

// IsRunnerConfig reports whether the file looks like a runner config at
// all: it has a [[runners]] entry or at least one key of the schema.
func (f *File) IsRunnerConfig() bool {
	if len(f.Config.Runners) > 0 {
		return true
	}
	for _, k := range f.Keys {
		if classify(k.Schema) == keyKnown {
			return true
		}
	}
	return false
}

// Lookup returns the key at the dotted path below runner (-1 for the
// top level), matched case-insensitively: Lookup(0, "docker.privileged").
func (f *File) Lookup(runner int, path string) (Key, bool) {
	full := strings.ToLower(path)
	if runner >= 0 {
		full = "runners." + strconv.Itoa(runner) + "." + full
	}
	i, ok := f.ix.byPath[full]
	if !ok {
		return Key{}, false
	}
	return f.ix.keys[i], true
}

// Comment returns the comment on a line ("" when there is none).
func (f *File) Comment(line int) string { return f.ix.comments[line] }

// Line returns source line n (1-based), or "".
func (f *File) Line(n int) string {
	if n < 1 || n > len(f.Lines) {
		return ""
	}
	return f.Lines[n-1]
}
