package mask

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A secrets file is a .env file as users of docker --env-file,
// python-dotenv and GitLab write them, or a list of bare secrets, one a
// line, or both:
//
//	# a comment line
//	export DB_PASSWORD = "two\nlines"   # double quotes take \n \" \\ …
//	API_TOKEN=glpat-xxxxxxxxxxxxxxxx # a blank, then #: a comment
//	LITERAL='single quotes take nothing'
//	a-bare-secret-on-its-own-line
//
// A misread line is a leak: the real secret goes unmasked and mask exits
// 0. So the parser registers exactly the value meant, or refuses the
// line with file:line:column and what it expected; spellings that tools
// read differently (KEY: value, ${VAR}, a backslash before \ or ' in
// single quotes, KEY= #x) are refused, not guessed.

// The messages of a syntaxError are fixed texts, so that an error never
// carries text from the file, where any word may be a secret.
const (
	msgUTF16         = "the file is UTF-16: save it as UTF-8"
	msgNUL           = "NUL byte: a secrets file is UTF-8 text"
	msgExport        = "expected KEY=VALUE after export"
	msgYAML          = "this looks like YAML (KEY: value, - item); write KEY=VALUE"
	msgNoValue       = "expected a value after '=' (write a bare secret that ends in '=' as NAME=SECRET)"
	msgHashValue     = "a blank and then # start a comment, so this line has no value; quote the value if # is part of the secret"
	msgInterpolation = "${…} interpolation is not supported; single-quote the value to mask it as written"
	msgUnterminated  = "no closing quote for the quoted value that starts here"
	msgRunsOn        = "the quoted value that starts here runs on into a KEY=VALUE line: close the quote"
	msgAfterQuote    = "expected a # comment or the end of the line after the closing quote"
	msgSingleEscape  = `\\ and \' inside single quotes mean different things to different tools: use double quotes`
	msgBareComment   = "a blank and then # inside a bare secret: put the comment on a line of its own, or quote the secret"
)

// syntaxError points at the place in the secrets file that is refused.
type syntaxError struct {
	path      string
	line, col int // from 1; col counts bytes
	msg       string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.path, e.line, e.col, e.msg)
}

// parseSecretsFile returns the secrets in data, each named path:line, or
// path:line (KEY), so that a later error can point at it without showing it.
func parseSecretsFile(path string, data []byte) ([]secret, error) {
	text := string(data)
	if strings.HasPrefix(text, "\xff\xfe") || strings.HasPrefix(text, "\xfe\xff") {
		return nil, &syntaxError{path, 1, 1, msgUTF16}
	}
	p := &secretsParser{path: path, lines: strings.Split(strings.TrimPrefix(text, "\ufeff"), "\n")}
	for i, l := range p.lines {
		p.lines[i] = strings.TrimSuffix(l, "\r")
		if col := strings.IndexByte(l, 0); col >= 0 {
			return nil, p.errorAt(i, col, msgNUL)
		}
	}
	var out []secret
	for ; p.n < len(p.lines); p.n++ {
		s, ok, err := p.readLine()
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}

type secretsParser struct {
	path  string
	lines []string // without their line ends
	n     int      // index of the line being read
}

func (p *secretsParser) errorAt(lineIndex, byteIndex int, msg string) error {
	return &syntaxError{p.path, lineIndex + 1, byteIndex + 1, msg}
}

// readLine reads the secret on line p.n, if there is one, and moves p.n
// to the last line of a quoted value that spans lines.
func (p *secretsParser) readLine() (s secret, ok bool, err error) {
	line := p.lines[p.n]
	start := skipBlanks(line, 0)
	if start == len(line) || line[start] == '#' {
		return secret{}, false, nil
	}
	s.name = fmt.Sprintf("%s:%d", p.path, p.n+1)
	key, valueAt, err := p.assignment(line, start)
	switch {
	case err != nil:
		return secret{}, false, err
	case key != "":
		s.name += " (" + key + ")"
		s.value, err = p.value(valueAt)
	default:
		s.value, err = p.bare(start)
	}
	return s, err == nil, err
}

// assignment finds KEY= at start, after an optional export: the key, and
// where the text after '=' starts; no key if the line is a bare secret.
// Lines that are almost assignments are refused: export without KEY=,
// and YAML's KEY: value and "- KEY=value" (a compose environment list).
func (p *secretsParser) assignment(line string, start int) (key string, valueAt int, err error) {
	if key, valueAt := keyEquals(line, start); key != "" {
		return key, valueAt, nil
	}
	if rest, ok := afterExport(line, start); ok {
		if key, valueAt := keyEquals(line, rest); key != "" {
			return key, valueAt, nil
		}
		return "", 0, p.errorAt(p.n, rest, msgExport)
	}
	if looksLikeYAML(line, start) {
		return "", 0, p.errorAt(p.n, start, msgYAML)
	}
	return "", 0, nil
}

// value reads the value of a KEY= line from at, just after the '='.
func (p *secretsParser) value(at int) (string, error) {
	line := p.lines[p.n]
	i := skipBlanks(line, at)
	switch {
	case i < len(line) && (line[i] == '"' || line[i] == '\''):
		return p.quoted(i)
	case i < len(line) && line[i] == '#' && i > at:
		return "", p.errorAt(p.n, i, msgHashValue)
	}
	v := strings.TrimRightFunc(line[i:commentStart(line, i)], unicode.IsSpace)
	if strings.Trim(v, "=") == "" {
		// Empty, or what is left of a bare base64 secret cut at its padding.
		return "", p.errorAt(p.n, i, msgNoValue)
	}
	if j := strings.Index(v, "${"); j >= 0 {
		return "", p.errorAt(p.n, i+j, msgInterpolation)
	}
	return v, nil
}

// bare reads a line without KEY=: the whole line is the secret, without
// surrounding blanks (masking the trimmed value masks the untrimmed one
// too), or, if it starts with a quote, the value in the quotes.
func (p *secretsParser) bare(start int) (string, error) {
	line := p.lines[p.n]
	if line[start] == '"' || line[start] == '\'' {
		return p.quoted(start)
	}
	// No tool defines comments after a bare secret: refuse rather than
	// guess whether " #…" is one.
	if c := commentStart(line, start); c < len(line) {
		return "", p.errorAt(p.n, c, msgBareComment)
	}
	return strings.TrimRightFunc(line[start:], unicode.IsSpace), nil
}

// quoted reads the quoted value that opens at line[at]. Double quotes
// take python-dotenv's escapes, single quotes none. As in python-dotenv
// (a PEM key), the value may span lines, but not into a line that looks
// like KEY=VALUE: that is a forgotten closing quote.
func (p *secretsParser) quoted(at int) (string, error) {
	openLine, quote := p.n, p.lines[p.n][at]
	var v strings.Builder
	line, i := p.lines[p.n], at+1
	for {
		if i == len(line) {
			if p.n+1 == len(p.lines) {
				return "", p.errorAt(openLine, at, msgUnterminated)
			}
			p.n++
			line, i = p.lines[p.n], 0
			if looksLikeAssignment(line) {
				return "", p.errorAt(openLine, at, msgRunsOn)
			}
			v.WriteByte('\n')
			continue
		}
		if line[i] == quote {
			return v.String(), p.afterQuote(line, i+1)
		}
		n, err := p.quotedChar(&v, quote, line, i)
		if err != nil {
			return "", err
		}
		i += n
	}
}

// doubleQuoteEscapes are the escapes python-dotenv decodes in double
// quotes; a backslash before any other byte is kept, as there.
var doubleQuoteEscapes = map[byte]byte{
	'\\': '\\', '\'': '\'', '"': '"',
	'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
}

// quotedChar adds what line[i] stands for inside quote to v and returns
// how many bytes it took.
func (p *secretsParser) quotedChar(v *strings.Builder, quote byte, line string, i int) (int, error) {
	c, next := line[i], byte(0)
	if i+1 < len(line) {
		next = line[i+1]
	}
	switch {
	case quote == '"' && c == '$' && next == '{':
		return 0, p.errorAt(p.n, i, msgInterpolation)
	case quote == '"' && c == '\\' && doubleQuoteEscapes[next] != 0:
		v.WriteByte(doubleQuoteEscapes[next])
		return 2, nil
	case quote == '\'' && c == '\\' && (next == '\\' || next == '\''):
		// Literal to a shell, an escape to python-dotenv.
		return 0, p.errorAt(p.n, i, msgSingleEscape)
	}
	v.WriteByte(c)
	return 1, nil
}

// afterQuote checks that only blanks and a comment follow a closing quote.
func (p *secretsParser) afterQuote(line string, i int) error {
	if i = skipBlanks(line, i); i < len(line) && line[i] != '#' {
		return p.errorAt(p.n, i, msgAfterQuote)
	}
	return nil
}

// keyEquals returns the key of a KEY= (or KEY =) at i and the index after
// the '=', or no key.
func keyEquals(line string, i int) (key string, valueAt int) {
	end := keyEnd(line, i)
	if end == i {
		return "", 0
	}
	if eq := skipBlanks(line, end); eq < len(line) && line[eq] == '=' {
		return line[i:end], eq + 1
	}
	return "", 0
}

// keyEnd returns the end of the key-like word at i ([A-Za-z_][A-Za-z0-9_.-]*,
// which admits Java-style db.password too), or i if there is none.
func keyEnd(line string, i int) int {
	isLetter := func(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
	if i == len(line) || !isLetter(line[i]) {
		return i
	}
	for i++; i < len(line); i++ {
		if c := line[i]; !isLetter(c) && (c < '0' || c > '9') && c != '.' && c != '-' {
			break
		}
	}
	return i
}

// afterExport returns where the text after "export " at i starts.
func afterExport(line string, i int) (int, bool) {
	rest, ok := strings.CutPrefix(line[i:], "export")
	if !ok || skipBlanks(rest, 0) == 0 {
		return 0, false
	}
	return skipBlanks(line, len(line)-len(rest)), true
}

// looksLikeYAML reports a list item ("- ") at i, or a key-like word
// followed by ':' and a blank or the end of the line; user:password has
// no blank and stays a secret.
func looksLikeYAML(line string, i int) bool {
	if strings.HasPrefix(line[i:], "-") && skipBlanks(line, i+1) > i+1 {
		return true
	}
	end := keyEnd(line, i)
	if end == i {
		return false
	}
	colon := skipBlanks(line, end)
	return colon < len(line) && line[colon] == ':' && (colon+1 == len(line) || skipBlanks(line, colon+1) > colon+1)
}

// looksLikeAssignment reports a line that sets a value: [export] KEY=x.
// The last line of a base64 block (AbCd==) sets none.
func looksLikeAssignment(line string) bool {
	start := skipBlanks(line, 0)
	key, valueAt := keyEquals(line, start)
	if rest, ok := afterExport(line, start); ok && key == "" {
		key, valueAt = keyEquals(line, rest)
	}
	if key == "" {
		return false
	}
	v := skipBlanks(line, valueAt)
	return v < len(line) && line[v] != '='
}

// commentStart returns the index of the first '#' after from that follows
// a blank (dotenv's inline comment), or len(line).
func commentStart(line string, from int) int {
	for i := from + 1; i < len(line); i++ {
		if line[i] != '#' {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(line[:i]); unicode.IsSpace(r) {
			return i
		}
	}
	return len(line)
}

// skipBlanks returns the index of the first byte at or after i that does
// not start a Unicode space (so a pasted no-break space is a blank too).
func skipBlanks(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}
