package mask

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseSecretsFile: any file parses without panicking; every secret
// is named by its line, holds no line break, and comes from a line that
// is neither blank nor a comment.
func FuzzParseSecretsFile(f *testing.F) {
	f.Add([]byte("# c\nKEY=value-value\n\nplain-secret\r\nQ=\"quoted\"\n"))
	f.Add([]byte("=\n==\nA=\nB='\n'x'\n#\n \t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		for _, s := range parseSecretsFile("f", data) {
			var n int
			rest, ok := strings.CutPrefix(s.name, "f:")
			if !ok {
				t.Fatalf("name %q does not start with the file", s.name)
			}
			for _, c := range rest {
				if c < '0' || c > '9' {
					break
				}
				n = n*10 + int(c-'0')
			}
			if n < 1 || n > len(lines) {
				t.Fatalf("name %q: no line %d", s.name, n)
			}
			line := strings.TrimSpace(string(lines[n-1]))
			if line == "" || strings.HasPrefix(line, "#") {
				t.Fatalf("secret from blank or comment line %d %q", n, line)
			}
			if strings.ContainsAny(s.value, "\n") {
				t.Fatalf("value of %s holds a line break", s.name)
			}
		}
	})
}
