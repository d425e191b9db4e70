package jobtoken

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

var tokenShape = regexp.MustCompile(`^glcbt-[0-9A-Za-z]{32}$`)

func TestMintShapeAndUniqueness(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		tok, err := Mint()
		if err != nil {
			t.Fatal(err)
		}
		if !tokenShape.MatchString(tok) {
			t.Fatalf("token %q does not look like glcbt- + 32 base62", tok)
		}
		if seen[tok] {
			t.Fatalf("token minted twice: %q", tok)
		}
		seen[tok] = true
		for _, r := range tok[len(Prefix):] {
			counts[r]++
		}
	}
	// 64,000 characters over 62 symbols: every symbol shows up (a biased
	// or constant generator would not).
	if len(counts) != 62 {
		t.Errorf("only %d of 62 symbols used", len(counts))
	}
}

func TestInject(t *testing.T) {
	t.Parallel()
	const tok = "glcbt-0123456789abcdefghijABCDEFGHIJ"
	tests := []struct {
		name     string
		in       job.Payload
		wantURL  string
		wantCred []job.Credential
	}{
		{
			name: "server and project from the payload, registry",
			in: job.Payload{
				JobInfo: job.JobInfo{ProjectFullPath: "acme/app"},
				Variables: job.Variables{
					{Key: "CI_SERVER_URL", Value: "https://gitlab.acme.test:8443", Public: true},
					{Key: "CI_REGISTRY", Value: "registry.acme.test", Public: true},
				},
			},
			wantURL:  "https://gitlab-ci-token:" + tok + "@gitlab.acme.test:8443/acme/app.git",
			wantCred: []job.Credential{{Type: "registry", URL: "registry.acme.test", Username: User, Password: tok}},
		},
		{
			name:    "defaults",
			in:      job.Payload{Variables: job.Variables{{Key: "CI_PROJECT_PATH", Value: "g/sub/p", Public: true}}},
			wantURL: "https://gitlab-ci-token:" + tok + "@gitlab.example.com/g/sub/p.git",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.in
			Inject(&p, tok)
			if p.Token != tok || p.GitInfo.RepoURL != tt.wantURL {
				t.Errorf("token %q repo_url %q, want %q", p.Token, p.GitInfo.RepoURL, tt.wantURL)
			}
			want := map[string]job.Variable{
				"CI_JOB_TOKEN":                 {Key: "CI_JOB_TOKEN", Value: tok, Masked: true},
				"CI_REGISTRY_USER":             {Key: "CI_REGISTRY_USER", Value: "gitlab-ci-token", Public: true},
				"CI_REGISTRY_PASSWORD":         {Key: "CI_REGISTRY_PASSWORD", Value: tok, Masked: true},
				"CI_DEPENDENCY_PROXY_USER":     {Key: "CI_DEPENDENCY_PROXY_USER", Value: "gitlab-ci-token", Public: true},
				"CI_DEPENDENCY_PROXY_PASSWORD": {Key: "CI_DEPENDENCY_PROXY_PASSWORD", Value: tok, Masked: true},
				"CI_REPOSITORY_URL":            {Key: "CI_REPOSITORY_URL", Value: tt.wantURL},
			}
			for k, w := range want {
				var got job.Variable
				for _, v := range p.Variables {
					if v.Key == k {
						got = v
					}
				}
				if diff := cmp.Diff(w, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
			if diff := cmp.Diff(tt.wantCred, p.Credentials); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
			// Injecting again (a retry) replaces, never duplicates.
			n := len(p.Variables)
			Inject(&p, tok)
			if len(p.Variables) != n || len(p.Credentials) != len(tt.wantCred) {
				t.Errorf("second Inject grew the payload")
			}
		})
	}
}
