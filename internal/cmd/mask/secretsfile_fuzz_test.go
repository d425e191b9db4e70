package mask

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// syntaxMessages are all a syntaxError may say after its position.
var syntaxMessages = []string{
	msgUTF16, msgNUL, msgExport, msgSetenv, msgBadKey, msgYAML, msgNoValue, msgHashValue,
	msgInterpolation, msgDollar, msgUndefined, msgTwoValues, msgUnterminated, msgRunsOn,
	msgAfterQuote, msgSingleEscape, msgDollarEscape, msgQuoteEscape, msgContinuation,
	msgBacktickEscape, msgBareComment,
}

// fuzzEnv is the environment ${NAME} sees in the fuzz targets.
var fuzzEnv = map[string]string{"E": "env-value", "PW": "hunter2hunter2"}

// FuzzParseSecretsFile: any file parses without panicking. A refusal
// points at a place in the file and says one of the fixed messages, so
// it never shows text from the file but a variable name. A secret is
// named by its line, which is neither blank nor a comment, and is not
// empty; from a line without quotes and $ it is a part of that line
// without surrounding blanks.
func FuzzParseSecretsFile(f *testing.F) {
	f.Add([]byte("# c\nKEY=value-value\n\nplain-secret\r\nQ=\"quoted\"\n"))
	f.Add([]byte("=\n==\nA=\nB='\n'x'\n#\n \t\n"))
	f.Add([]byte("\ufeffexport A = \"l1\\n\\\"x\\\"\" # c\nB='${x}'\nC: y\n- D=z\nE=\"${x}\"\n"))
	f.Add([]byte("P=\"-----BEGIN-----\r\nAbCd==\r\nQ=r\"\nbare secret # c\nK= #x\nK=a#b\n"))
	f.Add([]byte("\xff\xfeK\x00"))
	f.Add([]byte("A=\nB=${A}x\nC=\"${E}\\$\\'\"\nD=`x\n#y`\nexport PATH\nsetenv A b\n1A=b\nE=$$\nF=${PW}\nG=\"a\\\nb\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\n")
		for i := range lines {
			lines[i] = strings.TrimSuffix(lines[i], "\r")
		}
		secrets, err := parseSecretsFile("f", data, fakeEnv(fuzzEnv))
		if err != nil {
			checkRefusal(t, err, lines)
			return
		}
		for _, s := range secrets {
			checkSecret(t, s, lines)
		}
	})
}

func checkRefusal(t *testing.T, err error, lines []string) {
	var e *syntaxError
	if !errors.As(err, &e) {
		t.Fatalf("error %v is no syntaxError", err)
	}
	if e.line < 1 || e.line > len(lines) || e.col < 1 || e.col > len(lines[e.line-1])+1 {
		t.Fatalf("%v: no such place in the file", err)
	}
	msg := e.msg
	if strings.Contains(msg, "%s") {
		if varNameEnd(e.varName, 0) != len(e.varName) || e.varName == "" {
			t.Fatalf("%v: %q is no variable name", err, e.varName)
		}
		msg = fmt.Sprintf(msg, e.varName)
	}
	if !slices.Contains(syntaxMessages, e.msg) || err.Error() != fmt.Sprintf("f:%d:%d: %s", e.line, e.col, msg) {
		t.Fatalf("%v: not a fixed message", err)
	}
}

func checkSecret(t *testing.T, s secret, lines []string) {
	var n int
	var key string
	if _, err := fmt.Sscanf(s.name, "f:%d", &n); err != nil {
		t.Fatalf("name %q does not start with f:LINE", s.name)
	}
	if rest := strings.TrimPrefix(s.name, fmt.Sprintf("f:%d", n)); rest != "" {
		key = strings.TrimSuffix(strings.TrimPrefix(rest, " ("), ")")
		if keyEnd(key, 0) != len(key) || len(key) == 0 {
			t.Fatalf("name %q: %q is no key", s.name, key)
		}
	}
	if n < 1 || n > len(lines) {
		t.Fatalf("name %q: no line %d", s.name, n)
	}
	line := strings.TrimSpace(lines[n-1])
	if line == "" || strings.HasPrefix(line, "#") {
		t.Fatalf("secret from blank or comment line %d", n)
	}
	if s.value == "" {
		t.Fatalf("empty secret from line %d", n)
	}
	if strings.ContainsAny(line, "\"'`$") {
		return
	}
	if strings.TrimFunc(s.value, unicode.IsSpace) != s.value || !strings.Contains(line, s.value) {
		t.Fatalf("unquoted value of %s is empty, has surrounding blanks or is not from its line", s.name)
	}
}

// FuzzSecretsFileRoundTrip: a non-empty value written as a .env line,
// quoted (with escapes) or unquoted where it can be, reads back as
// exactly that value.
func FuzzSecretsFileRoundTrip(f *testing.F) {
	for _, v := range []string{"hunter2hunter2", " a b ", "l1\nl2\r\n", `q"\'$x#y #z`, "#x", "a=b==", "${X}", "\u00a0x", "`x`", "#a #b", `\`} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if v == "" || strings.ContainsRune(v, 0) {
			return
		}
		for _, line := range spellings(v) {
			got, err := parseSecretsFile("f", []byte(line), nil)
			if err != nil || len(got) != 1 || got[0].value != v || got[0].name != "f:1 (K)" {
				t.Fatalf("%q reads as %q, %v; want %q", line, got, err, v)
			}
		}
	})
}

// spellings returns the .env lines that must read back as v.
func spellings(v string) []string {
	var out []string
	if !strings.Contains(v, "$") {
		esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`).Replace(v)
		out = append(out, "export K = \""+esc+"\"  # c\r\n", "K=\""+esc+"\"#c")
	}
	if !strings.ContainsAny(v, "'\n\r") && !strings.Contains(v, `\\`) && !strings.HasSuffix(v, `\`) {
		out = append(out, "\ufeffK='"+v+"'\t")
	}
	if !strings.ContainsAny(v, "`$\n\r") && !strings.HasSuffix(v, `\`) && commentStart(v, 0) == len(v) {
		out = append(out, "K=`"+v+"` # c")
	}
	unquotable := v != "" && strings.TrimFunc(v, unicode.IsSpace) == v && strings.Trim(v, "=") != "" &&
		!strings.ContainsAny(v, "\n\r") && !strings.ContainsAny(v[:1], "\"'`") &&
		!strings.Contains(v, "$") && commentStart(v, 0) == len(v)
	if unquotable {
		out = append(out, "K="+v, "K="+v+" # c")
		if v[0] != '#' {
			out = append(out, "  export K\t=  "+v+"\t\r\n")
		}
	}
	return out
}
