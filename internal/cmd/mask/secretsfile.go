package mask

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A secrets file is a .env file as users of docker --env-file,
// compose, python-dotenv, node dotenv and GitLab write them, or a list of
// bare secrets, one a line, or both:
//
//	# a comment line
//	export DB_PASSWORD = "two\nlines"   # double quotes take \n \" \\ …
//	API_TOKEN=glpat-xxxxxxxxxxxxxxxx # a blank, then #: a comment
//	LITERAL='single quotes take nothing'
//	NODE_STYLE=`backticks take nothing either`
//	DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app
//	DB_HOST=          # empty: nothing to mask (so is KEY="" or KEY='')
//	export PATH       # marks a variable for export: nothing to mask
//	a-bare-secret-on-its-own-line
//
// ${NAME}, unquoted or in double quotes, is the value NAME got earlier in
// the file, else its value in the environment, as python-dotenv and
// compose read it.
//
// A misread line is a leak: the real secret goes unmasked and mask exits
// 0. So the parser registers exactly the value meant, or refuses the
// line with file:line:column and what it expected. Spellings that tools
// read differently are refused, not guessed: KEY: value (YAML), a $ other
// than ${NAME} ($NAME, $$, ${NAME:-x}: sh and compose expand them,
// python-dotenv does not), ${NAME} set in the file and in the environment
// to different values, \$ \' or a backslash at the end of a line in double
// quotes (sh reads them differently), \\ or \' in single quotes, $ \` or
// " #" in backticks, KEY= #x, a key starting with a digit (1PW=x) and
// csh's setenv.

// The messages of a syntaxError are fixed texts, so that an error never
// carries text from the file, where any word may be a secret.
const (
	msgUTF16          = "the file is UTF-16: save it as UTF-8"
	msgNUL            = "NUL byte: a secrets file is UTF-8 text"
	msgExport         = "expected KEY=VALUE or a NAME after export"
	msgSetenv         = "setenv NAME VALUE is csh: write NAME=VALUE"
	msgBadKey         = "expected KEY=VALUE with KEY a name: letters, digits, _ . -, not starting with a digit"
	msgYAML           = "this looks like YAML (KEY: value, - item); write KEY=VALUE"
	msgNoValue        = "expected a value after '=': an empty variable's name is in one case (DB_PASSWORD=), and a bare secret that ends in '=' is written NAME=SECRET"
	msgHashValue      = "a blank and then # start a comment, so this line has no value; quote the value if # is part of the secret"
	msgInterpolation  = "only ${NAME} is expanded here, not ${NAME:-default} and the like: single-quote the value to mask it as written"
	msgDollar         = "a $ outside ${NAME} ($NAME, $$) means different things to sh, compose and python-dotenv: write ${NAME}, or single-quote the value to mask it as written"
	msgUndefined      = "${%s} is set neither earlier in this file nor in the environment"
	msgTwoValues      = "${%s} is set earlier in this file and in the environment, to different values: tools differ on which one they use"
	msgUnterminated   = "no closing quote for the quoted value that starts here"
	msgRunsOn         = "the quoted value that starts here runs on into a KEY=VALUE line: close the quote"
	msgAfterQuote     = "expected a # comment or the end of the line after the closing quote"
	msgSingleEscape   = `\\ and \' inside single quotes mean different things to different tools: use double quotes`
	msgDollarEscape   = `\$ inside double quotes is $ to sh and compose but \$ to python-dotenv: single-quote the value to mask it as written`
	msgQuoteEscape    = `\' inside double quotes is ' to python-dotenv but \' to sh: write ' without the backslash`
	msgContinuation   = "a backslash at the end of a line inside double quotes joins the lines in sh, not in python-dotenv: remove it"
	msgBacktickEscape = "$, \\` and a blank before # inside backticks mean different things to node dotenv and to tools without backtick quotes: use single quotes"
	msgBareComment    = "a blank and then # inside a bare secret: put the comment on a line of its own, or quote the secret"
)

// syntaxError points at the place in the secrets file that is refused.
// Its message is a fixed text; a message with %s names the variable
// varName, a name from the file that is never a value.
type syntaxError struct {
	path      string
	line, col int // from 1; col counts bytes
	msg       string
	varName   string
}

func (e *syntaxError) Error() string {
	msg := e.msg
	if e.varName != "" {
		msg = fmt.Sprintf(e.msg, e.varName)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.path, e.line, e.col, msg)
}

// parseSecretsFile returns the secrets in data, each named path:line, or
// path:line (KEY), so that a later error can point at it without showing
// it. lookupEnv (nil: an empty environment) gives ${NAME} the values that
// the file does not set.
func parseSecretsFile(path string, data []byte, lookupEnv func(string) (string, bool)) ([]secret, error) {
	text := string(data)
	if strings.HasPrefix(text, "\xff\xfe") || strings.HasPrefix(text, "\xfe\xff") {
		return nil, &syntaxError{path: path, line: 1, col: 1, msg: msgUTF16}
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	p := &secretsParser{
		path: path, lines: strings.Split(strings.TrimPrefix(text, "\ufeff"), "\n"),
		lookupEnv: lookupEnv, defined: map[string]string{},
	}
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
	path      string
	lines     []string // without their line ends
	n         int      // index of the line being read
	lookupEnv func(string) (string, bool)
	defined   map[string]string // the values of the keys read so far
}

func (p *secretsParser) errorAt(lineIndex, byteIndex int, msg string) error {
	return &syntaxError{path: p.path, line: lineIndex + 1, col: byteIndex + 1, msg: msg}
}

// readLine reads the secret on line p.n, if there is one, and moves p.n
// to the last line of a quoted value that spans lines. An empty value is
// no secret: there is nothing to mask.
func (p *secretsParser) readLine() (s secret, ok bool, err error) {
	line := p.lines[p.n]
	start := skipBlanks(line, 0)
	if start == len(line) || line[start] == '#' || exportsOnly(line, start) {
		return secret{}, false, nil
	}
	s.name = fmt.Sprintf("%s:%d", p.path, p.n+1)
	key, valueAt, err := p.assignment(line, start)
	switch {
	case err != nil:
		return secret{}, false, err
	case key != "":
		s.name += " (" + key + ")"
		s.value, err = p.value(key, valueAt)
		p.defined[key] = s.value
	default:
		s.value, err = p.bare(start)
	}
	return s, err == nil && s.value != "", err
}

// assignment finds KEY= at start, after an optional export: the key, and
// where the text after '=' starts; no key if the line is a bare secret.
// Lines that are almost assignments are refused: export without KEY=,
// csh's setenv, a key that is no name (1PW=), and YAML's KEY: value and
// "- KEY=value" (a compose environment list).
func (p *secretsParser) assignment(line string, start int) (key string, valueAt int, err error) {
	if key, valueAt := keyEquals(line, start); key != "" {
		return key, valueAt, nil
	}
	if rest, ok := afterWord(line, start, "export"); ok {
		if key, valueAt := keyEquals(line, rest); key != "" {
			return key, valueAt, nil
		}
		return "", 0, p.errorAt(p.n, rest, msgExport)
	}
	switch _, isSetenv := afterWord(line, start, "setenv"); {
	case isSetenv:
		return "", 0, p.errorAt(p.n, start, msgSetenv)
	case looksLikeBadKey(line, start):
		return "", 0, p.errorAt(p.n, start, msgBadKey)
	case looksLikeYAML(line, start):
		return "", 0, p.errorAt(p.n, start, msgYAML)
	}
	return "", 0, nil
}

// value reads the value of a KEY= line from at, just after the '='.
func (p *secretsParser) value(key string, at int) (string, error) {
	line := p.lines[p.n]
	i := skipBlanks(line, at)
	switch {
	case i < len(line) && isQuote(line[i]):
		return p.quoted(i)
	case i < len(line) && line[i] == '#' && i > at:
		return "", p.errorAt(p.n, i, msgHashValue)
	}
	end := i + len(strings.TrimRightFunc(line[i:commentStart(line, i)], unicode.IsSpace))
	switch {
	case end == i && oneCase(key):
		return "", nil // an empty variable
	case strings.Trim(line[i:end], "=") == "":
		// Empty, or what is left of a bare base64 secret cut at its padding.
		return "", p.errorAt(p.n, i, msgNoValue)
	}
	var v strings.Builder
	for i < end {
		if line[i] != '$' {
			v.WriteByte(line[i])
			i++
			continue
		}
		n, err := p.expand(&v, line, i)
		if err != nil {
			return "", err
		}
		i += n
	}
	return v.String(), nil
}

// bare reads a line without KEY=: the whole line is the secret, without
// surrounding blanks (masking the trimmed value masks the untrimmed one
// too), or, if it starts with a quote, the value in the quotes.
func (p *secretsParser) bare(start int) (string, error) {
	line := p.lines[p.n]
	if isQuote(line[start]) {
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
// take python-dotenv's escapes and ${NAME}; single quotes and backticks
// (node dotenv) take nothing. As in python-dotenv (a PEM key), the value
// may span lines, but not into a line that looks like KEY=VALUE: that is
// a forgotten closing quote.
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
		readChar := p.literalChar
		if quote == '"' {
			readChar = p.doubleQuotedChar
		}
		n, err := readChar(&v, quote, line, i)
		if err != nil {
			return "", err
		}
		i += n
	}
}

// doubleQuoteEscapes are the escapes python-dotenv decodes in double
// quotes; a backslash before any other byte is kept, as there.
var doubleQuoteEscapes = map[byte]byte{
	'\\': '\\', '"': '"',
	'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
}

// doubleQuotedChar adds what line[i] stands for inside double quotes to v
// and returns how many bytes it took.
func (p *secretsParser) doubleQuotedChar(v *strings.Builder, _ byte, line string, i int) (int, error) {
	c, next := line[i], byteAt(line, i+1)
	switch {
	case c == '$':
		return p.expand(v, line, i)
	case c != '\\':
	case i+1 == len(line):
		return 0, p.errorAt(p.n, i, msgContinuation)
	case next == '$':
		return 0, p.errorAt(p.n, i, msgDollarEscape)
	case next == '\'':
		return 0, p.errorAt(p.n, i, msgQuoteEscape)
	case doubleQuoteEscapes[next] != 0:
		v.WriteByte(doubleQuoteEscapes[next])
		return 2, nil
	}
	v.WriteByte(c)
	return 1, nil
}

// literalChar adds line[i] inside single quotes or backticks to v,
// refusing what other tools read differently there.
func (p *secretsParser) literalChar(v *strings.Builder, quote byte, line string, i int) (int, error) {
	c, next := line[i], byteAt(line, i+1)
	switch {
	case quote == '\'' && c == '\\' && (next == '\\' || next == '\''):
		// Literal to a shell, an escape to python-dotenv.
		return 0, p.errorAt(p.n, i, msgSingleEscape)
	case quote == '`' && (c == '$' || c == '\\' && next == '`' || c == '#' && commentStart(line, i-1) == i):
		// Tools without backtick quotes read the value unquoted.
		return 0, p.errorAt(p.n, i, msgBacktickEscape)
	}
	v.WriteByte(c)
	return 1, nil
}

// expand adds the value of the ${NAME} at line[i] to v and returns its
// length: NAME's value earlier in the file, else in the environment.
func (p *secretsParser) expand(v *strings.Builder, line string, i int) (int, error) {
	if !strings.HasPrefix(line[i:], "${") {
		return 0, p.errorAt(p.n, i, msgDollar)
	}
	end := varNameEnd(line, i+2)
	if end == i+2 || byteAt(line, end) != '}' {
		return 0, p.errorAt(p.n, i, msgInterpolation)
	}
	name := line[i+2 : end]
	fileValue, inFile := p.defined[name]
	envValue, inEnv := p.lookupEnv(name)
	switch {
	case inFile && inEnv && fileValue != envValue:
		return 0, &syntaxError{p.path, p.n + 1, i + 1, msgTwoValues, name}
	case inFile:
		v.WriteString(fileValue)
	case inEnv:
		v.WriteString(envValue)
	default:
		return 0, &syntaxError{p.path, p.n + 1, i + 1, msgUndefined, name}
	}
	return end + 1 - i, nil
}

// afterQuote checks that only blanks and a comment follow a closing quote.
func (p *secretsParser) afterQuote(line string, i int) error {
	if i = skipBlanks(line, i); i < len(line) && line[i] != '#' {
		return p.errorAt(p.n, i, msgAfterQuote)
	}
	return nil
}

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

// byteAt returns s[i], or 0 past the end of s.
func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
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

func isLetter(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// keyEnd returns the end of the key-like word at i ([A-Za-z_][A-Za-z0-9_.-]*,
// which admits Java-style db.password too), or i if there is none.
func keyEnd(line string, i int) int {
	if i == len(line) || !isLetter(line[i]) {
		return i
	}
	for i++; i < len(line) && (isLetter(line[i]) || isDigit(line[i]) || line[i] == '.' || line[i] == '-'); i++ {
	}
	return i
}

// varNameEnd returns the end of the shell variable name at i
// ([A-Za-z_][A-Za-z0-9_]*), or i if there is none.
func varNameEnd(line string, i int) int {
	if i == len(line) || !isLetter(line[i]) {
		return i
	}
	for i++; i < len(line) && (isLetter(line[i]) || isDigit(line[i])); i++ {
	}
	return i
}

// oneCase reports a key without both lower- and upper-case letters, as
// variable names are written (DB_HOST, db.host); a bare base64 secret
// ending in '=' has both.
func oneCase(key string) bool {
	return strings.ToLower(key) == key || strings.ToUpper(key) == key
}

// looksLikeBadKey reports a word of key characters that starts with a
// digit, '.' or '-' and is followed by '=': node dotenv reads 1PW=x as a
// key and a value, not as a bare secret.
func looksLikeBadKey(line string, i int) bool {
	end := i
	for end < len(line) && (isLetter(line[end]) || isDigit(line[end]) || line[end] == '.' || line[end] == '-') {
		end++
	}
	eq := skipBlanks(line, end)
	return end > i && eq < len(line) && line[eq] == '='
}

// afterWord returns where the text after word and a blank at i starts.
func afterWord(line string, i int, word string) (int, bool) {
	rest, ok := strings.CutPrefix(line[i:], word)
	if !ok || skipBlanks(rest, 0) == 0 {
		return 0, false
	}
	return skipBlanks(line, len(line)-len(rest)), true
}

// exportsOnly reports "export NAME" (and a comment) at i: it marks a
// variable for export and sets no value.
func exportsOnly(line string, i int) bool {
	rest, ok := afterWord(line, i, "export")
	if !ok {
		return false
	}
	end := keyEnd(line, rest)
	after := skipBlanks(line, end)
	return end > rest && (after == len(line) || line[after] == '#' && after > end)
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
	if rest, ok := afterWord(line, start, "export"); ok && key == "" {
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
