package pipeline

import (
	"fmt"
	"regexp"
	"strings"
)

// This file implements GitLab's CI/CD variable expression language, used
// by rules:if, only/except:variables and workflow:rules:
//
//	$VAR  ${VAR}  "string"  'string'  /regex/flags  null
//	==  !=  =~  !~  &&  ||  ( )
//
// && binds tighter than ||. A bare variable is true when it is defined and
// not empty. Regular expressions are RE2 (Go's regexp), as GitLab's.

// Lookup returns a variable's value and whether it is defined.
type Lookup func(name string) (string, bool)

// value is an expression value: nil, a string, a regexp or a boolean.
type value struct {
	kind valueKind
	s    string
	re   *regexp.Regexp
	b    bool
}

type valueKind uint8

const (
	vNil valueKind = iota
	vString
	vRegexp
	vBool
)

// truthy is Ruby truthiness, used between && and ||.
func (v value) truthy() bool { return v.kind != vNil && !(v.kind == vBool && !v.b) }

// present is the final test: an empty string is false too.
func (v value) present() bool { return v.truthy() && !(v.kind == vString && v.s == "") }

// Expr is a parsed expression.
type Expr struct {
	src  string
	root exprNode
}

type exprNode interface {
	eval(vars Lookup) value
}

// ParseExpr parses an expression; errors say which token was unexpected.
func ParseExpr(src string) (*Expr, error) {
	toks, err := lexExpr(src)
	if err != nil {
		return nil, err
	}
	p := &exprParser{toks: toks}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at offset %d; expected an operator (== != =~ !~ && ||) or the end", p.toks[p.i].text, p.toks[p.i].off)
	}
	return &Expr{src: src, root: root}, nil
}

// Eval evaluates the expression with the given variables.
func (e *Expr) Eval(vars Lookup) bool { return e.root.eval(vars).present() }

func (e *Expr) String() string { return e.src }

type tokKind uint8

const (
	tVar tokKind = iota
	tString
	tRegexp
	tNull
	tOp
	tLParen
	tRParen
)

type token struct {
	kind tokKind
	text string
	off  int
}

func lexExpr(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '$':
			j := i + 1
			brace := j < len(src) && src[j] == '{'
			if brace {
				j++
			}
			start := j
			for j < len(src) && isNameByte(src[j]) {
				j++
			}
			if j == start {
				return nil, fmt.Errorf("a variable name must follow $ at offset %d", i)
			}
			name := src[start:j]
			if brace {
				if j >= len(src) || src[j] != '}' {
					return nil, fmt.Errorf("missing } after ${%s at offset %d", name, i)
				}
				j++
			}
			toks = append(toks, token{kind: tVar, text: name, off: i})
			i = j
		case c == '"' || c == '\'':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated string starting at offset %d", i)
			}
			toks = append(toks, token{kind: tString, text: src[i+1 : i+1+j], off: i})
			i += j + 2
		case c == '/':
			end, err := regexpEnd(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tRegexp, text: src[i:end], off: i})
			i = end
		case c == '(' || c == ')':
			k := tLParen
			if c == ')' {
				k = tRParen
			}
			toks = append(toks, token{kind: k, text: string(c), off: i})
			i++
		case strings.HasPrefix(src[i:], "null") && (i+4 == len(src) || !isNameByte(src[i+4])):
			toks = append(toks, token{kind: tNull, text: "null", off: i})
			i += 4
		default:
			op := ""
			for _, o := range []string{"==", "!=", "=~", "!~", "&&", "||"} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("unexpected %q at offset %d; expected $VARIABLE, a quoted string, /regex/, null, an operator or a parenthesis", string(c), i)
			}
			toks = append(toks, token{kind: tOp, text: op, off: i})
			i += 2
		}
	}
	return toks, nil
}

// regexpEnd finds the end of /pattern/flags starting at i; a backslash
// escapes the next character.
func regexpEnd(src string, i int) (int, error) {
	j := i + 1
	for j < len(src) && src[j] != '/' {
		if src[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(src) {
		return 0, fmt.Errorf("unterminated regular expression starting at offset %d", i)
	}
	j++
	for j < len(src) && strings.IndexByte("imsU", src[j]) >= 0 {
		j++
	}
	return j, nil
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// compileRegexp turns "/pattern/flags" into a Go regexp. Ruby's m flag
// (dot matches newline) is RE2's s.
func compileRegexp(lit string) (*regexp.Regexp, error) {
	end := strings.LastIndexByte(lit, '/')
	if len(lit) < 2 || lit[0] != '/' || end <= 0 {
		return nil, fmt.Errorf("%q is not a /regular expression/", lit)
	}
	pattern, flags := lit[1:end], lit[end+1:]
	pattern = strings.ReplaceAll(pattern, `\/`, `/`)
	var goFlags strings.Builder
	for _, f := range flags {
		switch f {
		case 'i', 's', 'U':
			goFlags.WriteRune(f)
		case 'm':
			goFlags.WriteRune('s')
		default:
			return nil, fmt.Errorf("unknown regular expression flag %q in %s; expected i, m, s or U", f, lit)
		}
	}
	if goFlags.Len() > 0 {
		pattern = "(?" + goFlags.String() + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %s: %v", lit, err)
	}
	return re, nil
}

type exprParser struct {
	toks []token
	i    int
}

func (p *exprParser) peekOp(op string) bool {
	return p.i < len(p.toks) && p.toks[p.i].kind == tOp && p.toks[p.i].text == op
}

func (p *exprParser) or() (exprNode, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peekOp("||") {
		p.i++
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = orNode{left, right}
	}
	return left, nil
}

func (p *exprParser) and() (exprNode, error) {
	left, err := p.compare()
	if err != nil {
		return nil, err
	}
	for p.peekOp("&&") {
		p.i++
		right, err := p.compare()
		if err != nil {
			return nil, err
		}
		left = andNode{left, right}
	}
	return left, nil
}

func (p *exprParser) compare() (exprNode, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"==", "!=", "=~", "!~"} {
		if p.peekOp(op) {
			p.i++
			right, err := p.operand()
			if err != nil {
				return nil, err
			}
			return cmpNode{op: op, left: left, right: right}, nil
		}
	}
	return left, nil
}

func (p *exprParser) operand() (exprNode, error) {
	if p.i >= len(p.toks) {
		return nil, fmt.Errorf("the expression ends early; expected $VARIABLE, a quoted string, /regex/, null or (")
	}
	t := p.toks[p.i]
	p.i++
	switch t.kind {
	case tVar:
		return varNode(t.text), nil
	case tString:
		return litNode{kind: vString, s: t.text}, nil
	case tNull:
		return litNode{kind: vNil}, nil
	case tRegexp:
		re, err := compileRegexp(t.text)
		if err != nil {
			return nil, err
		}
		return litNode{kind: vRegexp, re: re, s: t.text}, nil
	case tLParen:
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i].kind != tRParen {
			return nil, fmt.Errorf("missing ) for the ( at offset %d", t.off)
		}
		p.i++
		return inner, nil
	}
	return nil, fmt.Errorf("unexpected %q at offset %d; expected $VARIABLE, a quoted string, /regex/, null or (", t.text, t.off)
}

type varNode string

func (v varNode) eval(vars Lookup) value {
	s, ok := vars(string(v))
	if !ok {
		return value{}
	}
	return value{kind: vString, s: s}
}

type litNode value

func (l litNode) eval(Lookup) value { return value(l) }

type andNode struct{ left, right exprNode }

func (n andNode) eval(vars Lookup) value {
	if l := n.left.eval(vars); !l.truthy() {
		return l
	}
	return n.right.eval(vars)
}

type orNode struct{ left, right exprNode }

func (n orNode) eval(vars Lookup) value {
	if l := n.left.eval(vars); l.truthy() {
		return l
	}
	return n.right.eval(vars)
}

type cmpNode struct {
	op          string
	left, right exprNode
}

func (n cmpNode) eval(vars Lookup) value {
	l, r := n.left.eval(vars), n.right.eval(vars)
	switch n.op {
	case "==":
		return boolValue(equalValues(l, r))
	case "!=":
		return boolValue(!equalValues(l, r))
	case "=~":
		return boolValue(matches(l, r))
	}
	return boolValue(!matches(l, r))
}

func boolValue(b bool) value { return value{kind: vBool, b: b} }

func equalValues(l, r value) bool {
	if l.kind != r.kind {
		return false
	}
	return l.kind == vNil || l.s == r.s && l.b == r.b
}

// matches applies a regexp; the right side may be a variable whose value
// is a /regex/ literal.
func matches(l, r value) bool {
	if l.kind != vString {
		return false
	}
	re := r.re
	if r.kind == vString {
		var err error
		if re, err = compileRegexp(r.s); err != nil {
			return false
		}
	}
	return re != nil && re.MatchString(l.s)
}
