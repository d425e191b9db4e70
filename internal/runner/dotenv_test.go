package runner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

func TestParseDotenv(t *testing.T) {
	t.Parallel()
	v := func(k, val string) job.Variable { return job.Variable{Key: k, Value: val} }
	tests := []struct {
		name    string
		in      string
		want    job.Variables
		wantErr string
	}{
		{"simple", "VERSION=1.2.3\nURL=https://x.test/a?b=c\n", job.Variables{v("VERSION", "1.2.3"), v("URL", "https://x.test/a?b=c")}, ""},
		{"trimmed, quotes kept, CRLF", "  A = \"quoted value\" \r\nB=\r\n", job.Variables{v("A", `"quoted value"`), v("B", "")}, ""},
		{"later wins", "A=1\nA=2", job.Variables{v("A", "2")}, ""},
		{"byte order mark", "\xef\xbb\xbfA=1\n", job.Variables{v("A", "1")}, ""},
		{"empty file", "", nil, ""},
		{"blank line", "A=1\n\nB=2\n", nil, `build.env:2:1: expected KEY=VALUE, got ""`},
		{"comment", "# note\n", nil, `build.env:1:1: expected KEY=VALUE, got "# note"`},
		{"bad key", "A=1\n  MY-VAR=x\n", nil, `build.env:2:3: variable name "MY-VAR" may only contain letters, digits and _`},
		{"export prefix", "export A=1\n", nil, `build.env:1:1: variable name "export A" may only contain letters, digits and _`},
		{"too many", strings.Repeat("K=1\n", 1) + manyVars(21), nil, "build.env: dotenv report defines 22 variables, at most 20 are allowed"},
		{"too big", "A=" + strings.Repeat("x", 5120), nil, "build.env: dotenv report is 5122 bytes, it must be smaller than 5120"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDotenv("build.env", []byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func manyVars(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("V")
		b.WriteString(strings.Repeat("X", i+1))
		b.WriteString("=1\n")
	}
	return b.String()
}

// Parsing never panics; what it accepts has valid names, no line breaks
// in values, and at most the allowed number of variables.
func FuzzParseDotenv(f *testing.F) {
	f.Add([]byte("VERSION=1.2.3\nURL=https://x.test/?a=b\n"))
	f.Add([]byte("\xef\xbb\xbf A = \"x\" \r\n"))
	f.Add([]byte("bad line\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, err := ParseDotenv("fuzz.env", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.env:") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if len(vars) > DotenvMaxVariables {
			t.Fatalf("%d variables accepted", len(vars))
		}
		for _, v := range vars {
			if !dotenvKey.MatchString(v.Key) || strings.ContainsAny(v.Value, "\n") {
				t.Fatalf("accepted %q=%q", v.Key, v.Value)
			}
		}
	})
}
