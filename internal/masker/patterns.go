package masker

import "bytes"

// Patterns mask values that were never registered: the token after a known
// prefix (glpat-…), the password in a URL's authority, and the value of a
// sensitive query parameter. Each starts at a fixed trigger and runs for
// as long as its characters do, so a value longer than any write is
// swallowed across writes (see carry in stream.go) instead of held back.

type patternKind uint8

const (
	tokenBody  patternKind = iota + 1 // [A-Za-z0-9_.-] after a token prefix
	queryValue                        // up to & # quote space after param=
	authority                         // user:password@host after ://
	// longPassword is what follows "user:" in a URL authority longer than
	// maxAuthority (a JWT as password): a URL's characters, masked as
	// they stream by. Its characters include those of tokenBody and
	// queryValue, so it is the widest kind a carry can take (see value).
	longPassword
)

// GitLabPrefixes are the token prefixes GitLab Runner masks by default
// (reference/masking.md); jobrun masks all of them, with no cap.
var gitLabPrefixes = []string{
	"glpat-", "gloas-", "gldt-", "glrt-", "glcbt-", "glrtr-", "glptt-", "glft-",
	"glimt-", "glagent-", "glsoat-", "glffct-", "gltok-", "_gitlab_session=",
}

// queryParams are matched case-insensitively, '=' included.
var queryParams = []string{
	"private_token=", "job_token=", "authenticity_token=", "rss_token=",
	"x-amz-signature=", "x-amz-credential=", "x-amz-security-token=",
}

// maxAuthority bounds how far past "://" a URL's user:password@ is looked
// for, and so how much a pending URL holds back.
const maxAuthority = 256

type trigger struct {
	text []byte
	fold bool // ASCII case-insensitive
	kind patternKind
}

// triggers finds trigger strings in one word-at-a-time pass over the text
// (find.go): case-sensitive ones by their first two bytes ("gl" finds all
// of GitLab's prefixes, ":/" finds "://"), case-insensitive ones and those
// ending in '=' by their last byte and a table look-up of the byte before.
type triggers struct {
	list    []trigger
	heads   []head
	anchors []anchor
	first   [256]uint16 // 1 + index in byFirst of the triggers starting with a byte
	byFirst [][]int32
	maxLen  int
	vec     *vectorKeys // nil: the word-at-a-time scan only
}

type head struct {
	key        [2]byte
	rep0, rep1 uint64  // key[0] and key[1] in every byte of a word
	ids        []int32 // triggers starting with key
}

type anchor struct {
	last byte
	rep  uint64    // last in every byte of a word
	prev [256]bool // second-to-last bytes of the triggers below
	ids  []int32   // triggers ending in last
}

func newTriggers(list []trigger) *triggers {
	t := &triggers{list: list}
	for id, tr := range list {
		t.maxLen = max(t.maxLen, len(tr.text))
		for _, c := range variants(tr.text[0], tr.fold) {
			if t.first[c] == 0 {
				t.byFirst = append(t.byFirst, nil)
				t.first[c] = uint16(len(t.byFirst))
			}
			t.byFirst[t.first[c]-1] = append(t.byFirst[t.first[c]-1], int32(id))
		}
		if !tr.fold && tr.text[len(tr.text)-1] != '=' {
			h := t.head([2]byte(tr.text[:2]))
			h.ids = append(h.ids, int32(id))
			continue
		}
		for _, c := range variants(tr.text[len(tr.text)-1], tr.fold) {
			a := t.anchor(c)
			a.ids = append(a.ids, int32(id))
			for _, p := range variants(tr.text[len(tr.text)-2], tr.fold) {
				a.prev[p] = true
			}
		}
	}
	t.vec = newVectorKeys(t)
	return t
}

func (t *triggers) head(key [2]byte) *head {
	for i := range t.heads {
		if t.heads[i].key == key {
			return &t.heads[i]
		}
	}
	t.heads = append(t.heads, head{key: key, rep0: repeat(key[0]), rep1: repeat(key[1])})
	return &t.heads[len(t.heads)-1]
}

func (t *triggers) anchor(c byte) *anchor {
	for i := range t.anchors {
		if t.anchors[i].last == c {
			return &t.anchors[i]
		}
	}
	t.anchors = append(t.anchors, anchor{last: c, rep: repeat(c)})
	return &t.anchors[len(t.anchors)-1]
}

func variants(c byte, fold bool) []byte {
	if fold && lower(c) != upper(c) {
		return []byte{lower(c), upper(c)}
	}
	return []byte{c}
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func (tr *trigger) matches(b []byte) bool {
	if tr.fold {
		return bytes.EqualFold(b, tr.text)
	}
	return bytes.Equal(b, tr.text)
}

// patternSpan is a masked range in view coordinates; open means the value
// ran to the end of the view and may go on in the next write.
type patternSpan struct {
	start, end int
	trigger    int // where the trigger starts
	kind       patternKind
	open       bool
}

// pending is what the triggers need kept for the next write, as view
// positions: from keep on, bytes stay buffered so that a trigger is found
// again; from hold on, they are not written yet, as they may be secret.
type pending struct{ keep, hold int }

// value scans the value of a pattern whose trigger spans view[ts:te]. A
// URL whose authority is still open keeps its trigger and holds back what
// may be its password.
func (t *triggers) value(view []byte, ts, te int, kind patternKind, final bool, out []patternSpan, hold pending) ([]patternSpan, pending) {
	if kind == authority {
		var open bool
		var secretFrom int
		out, open, secretFrom = authoritySpan(view, ts, te, final, out)
		if open {
			hold.keep = min(hold.keep, ts)
			hold.hold = min(hold.hold, secretFrom)
		}
		return out, hold
	}
	if n := len(out); n > 0 {
		// A trigger that lies inside the value just found ("glpat-glpat-…")
		// has its value inside it too (same or narrower characters):
		// skipping it keeps the scan linear. One that reaches past it
		// ("_gitlab_session=" inside a token: '=' ends the token) starts
		// a value of its own.
		if last := out[n-1]; last.kind != authority && last.kind >= kind && last.start <= ts && te <= last.end {
			return out, hold
		}
	}
	e := valueEnd(view, te, kind)
	if e > te {
		out = append(out, patternSpan{start: te, end: e, trigger: ts, kind: kind, open: e == len(view)})
	} else if e == len(view) && !final {
		out = append(out, patternSpan{start: te, end: te, trigger: ts, kind: kind, open: true})
	}
	return out, hold
}

// valueEnd returns the end of the run of kind's characters at view[from:].
func valueEnd(view []byte, from int, kind patternKind) int {
	class := queryBytes
	switch kind {
	case tokenBody:
		class = tokenBytes
	case longPassword:
		class = longPasswordBytes
	}
	i := from
	for i < len(view) && class[view[i]] {
		i++
	}
	return i
}

// The scans use the predicates below as tables: one load per byte
// instead of a chain of comparisons.
var (
	tokenBytes        = byteTable(isTokenByte)
	queryBytes        = byteTable(isQueryByte)
	authorityBytes    = byteTable(isAuthorityByte)
	longPasswordBytes = byteTable(func(c byte) bool { return isQueryByte(c) || isAuthorityByte(c) })
)

func byteTable(in func(byte) bool) *[256]bool {
	var t [256]bool
	for c := range t {
		t[c] = in(byte(c))
	}
	return &t
}

func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'
}

func isQueryByte(c byte) bool {
	switch c {
	case '&', '#', '"', '\'', '<', '>', '`', ')', ']', '}', ',', ';', 0x7f:
		return false
	}
	return c > ' '
}

// authoritySpan masks the password of scheme://user:password@host: from
// after the first ':' to the last '@' of the authority (as net/url reads
// it, the user name may hold an '@' too: user@corp.com:pw@host). An
// authority that the view ends inside of is open: it is decided in a
// later write, and what follows its first ':' may be a password. One that
// runs past maxAuthority after its only ':' with no '@' yet is taken for a
// long password and masked from the ':' on, not released.
func authoritySpan(view []byte, ts, te int, final bool, out []patternSpan) ([]patternSpan, bool, int) {
	colon, at, colons := -1, -1, 0
	i := te
	for ; i < len(view) && i-te < maxAuthority && authorityBytes[view[i]]; i++ {
		switch view[i] {
		case ':':
			if colon < 0 {
				colon = i
			}
			colons++
		case '@':
			at = i
		}
	}
	if i == len(view) && i-te < maxAuthority && !final {
		if colon >= 0 {
			return out, true, colon + 1
		}
		return out, true, len(view)
	}
	if colon >= 0 && at > colon+1 {
		out = append(out, patternSpan{start: colon + 1, end: at, trigger: ts, kind: authority})
	} else if colon >= 0 && at < colon && i-te == maxAuthority && colons == 1 {
		// (More than one ':' is a list of host:port, as in mongodb:// or
		// kafka:// seed lists; a long token has none.)
		e := valueEnd(view, colon+1, longPassword)
		out = append(out, patternSpan{start: colon + 1, end: e, trigger: ts, kind: longPassword, open: e == len(view)})
	}
	return out, false, len(view)
}

func isAuthorityByte(c byte) bool {
	switch c {
	case '/', '?', '#', '"', '\'', '<', '>', '`', '\\', '|', '{', '}', '^', 0x7f:
		return false
	}
	return c > ' '
}

// partial returns the first position s ≥ from where view[s:] is a proper
// prefix of a trigger (which the next write may complete), or len(view).
func (t *triggers) partial(view []byte, from int) int {
	n := len(view)
	for s := max(from, n-t.maxLen+1, 0); s < n; s++ {
		f := t.first[view[s]]
		if f == 0 {
			continue
		}
		for _, id := range t.byFirst[f-1] {
			tr := &t.list[id]
			if len(tr.text) > n-s && (tr.fold && bytes.EqualFold(tr.text[:n-s], view[s:]) || bytes.Equal(tr.text[:n-s], view[s:])) {
				return s
			}
		}
	}
	return n
}
