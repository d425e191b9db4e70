package pipeline

import (
	"strings"
	"testing"
)

func TestExprEval(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"BRANCH": "main", "TAG": "v1.2.3", "EMPTY": "", "SOURCE": "push", "PATTERN": "/^v\\d+/", "OTHER": "main",
		"MULTI": "line1\nline2",
	}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	tests := []struct {
		expr string
		want bool
	}{
		{`$BRANCH == "main"`, true},
		{`$BRANCH == 'main'`, true},
		{`$BRANCH != "main"`, false},
		{`$BRANCH == $OTHER`, true},
		{`${BRANCH} == "main"`, true},
		{`$BRANCH`, true},
		{`$EMPTY`, false}, // empty is false
		{`$UNSET`, false}, // undefined is false
		{`$UNSET == null`, true},
		{`$EMPTY == null`, false}, // empty is not null
		{`$EMPTY == ""`, true},
		{`$UNSET == ""`, false},
		{`$BRANCH != null`, true},
		{`$TAG =~ /^v\d+\.\d+/`, true},
		{`$TAG =~ /^V1/`, false},
		{`$TAG =~ /^V1/i`, true},
		{`$TAG !~ /^v/`, false},
		{`$UNSET =~ /.*/`, false},
		{`$UNSET !~ /.*/`, true},
		{`$TAG =~ $PATTERN`, true},
		{`$MULTI =~ /line1.line2/`, false},
		{`$MULTI =~ /line1.line2/m`, true}, // Ruby's m: dot matches newline
		{`$BRANCH == "main" && $SOURCE == "push"`, true},
		{`$BRANCH == "main" && $SOURCE == "web"`, false},
		{`$BRANCH == "dev" || $SOURCE == "push"`, true},
		// && binds tighter than ||.
		{`$SOURCE == "push" || $BRANCH == "dev" && $TAG == "x"`, true},
		{`($SOURCE == "push" || $BRANCH == "dev") && $TAG == "x"`, false},
		{`$UNSET || $EMPTY`, false},
		{`$UNSET || $BRANCH`, true},
		{`$BRANCH =~ /^feature\/.*/`, false},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			t.Parallel()
			e, err := ParseExpr(tc.expr)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got := e.Eval(lookup); got != tc.want {
				t.Errorf("Eval = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExprErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, want string }{
		{`$A ==`, "ends early"},
		{`$A == "x`, "unterminated string"},
		{`$A =~ /x`, "unterminated regular expression"},
		{`($A == "x"`, "missing )"},
		{`$A = "x"`, "unexpected"},
		{`$A == "x" "y"`, "unexpected"},
		{`$`, "variable name"},
		{`$A =~ /(/`, "invalid regular expression"},
		{`$A =~ /x/q`, "unexpected"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			t.Parallel()
			_, err := ParseExpr(tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{`$A == "x"`, `$A =~ /^v\d+$/i && ($B || $C != null)`, `$A !~ $B`, `((`, `/`, `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseExpr(src)
		if err != nil {
			return
		}
		e.Eval(func(k string) (string, bool) { return k, len(k)%2 == 0 })
	})
}
