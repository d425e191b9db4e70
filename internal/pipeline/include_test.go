package pipeline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLocalIncludes(t *testing.T) {
	t.Parallel()
	plan, err := compileFiles(t, map[string]string{
		".gitlab-ci.yml": `
include:
  - /ci/base.yml
  - local: ci/jobs/*.yml
variables: {WHO: main}
base-job:
  variables: {OVERRIDE: main}
`,
		"ci/base.yml": `
include: ci/nested.yml
variables: {WHO: base, FROM_BASE: "yes"}
base-job:
  script: [base]
  variables: {OVERRIDE: base}
`,
		"ci/nested.yml":     "nested-job: {script: [nested]}\n",
		"ci/jobs/a.yml":     "a: {script: [a]}\n",
		"ci/jobs/b.yaml":    "b: {script: [b]}\n",
		"ci/jobs/sub/c.yml": "c: {script: [c]}\n",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"nested-job", "base-job", "a"}, jobNames(plan)); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	j := jobNamed(t, plan, "base-job")
	if varOf(j, "WHO") != "main" || varOf(j, "FROM_BASE") != "yes" || varOf(j, "OVERRIDE") != "main" {
		t.Errorf("the main file must override its includes: WHO %q FROM_BASE %q OVERRIDE %q", varOf(j, "WHO"), varOf(j, "FROM_BASE"), varOf(j, "OVERRIDE"))
	}
	if got := j.Payload.Steps[0].Script; !cmp.Equal(got, []string{"base"}) {
		t.Errorf("script from the include lost: %v", got)
	}
}

func TestIncludeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ include, want string }{
		{`missing.yml`, `.gitlab-ci.yml:1:10: include:local "missing.yml": no such file`},
		{`"ci/*.json"`, `matches no .yml or .yaml file`},
		{`{local: ../outside.yml}`, `must be a path inside the project`},
		{`{project: group/tools, file: /ci.yml}`, `include:project "group/tools" (/ci.yml) is on a GitLab instance and cannot be resolved locally; copy the file`},
		{`{template: Auto-DevOps.gitlab-ci.yml}`, `include:template "Auto-DevOps.gitlab-ci.yml" is a GitLab template and cannot be resolved locally`},
		{`{component: gitlab.com/org/comp/x@1.0}`, `include:component "gitlab.com/org/comp/x@1.0" is a CI/CD component`},
		{`{remote: "https://example.invalid/ci.yml"}`, `not in the include cache and --offline forbids fetching it`},
		{`{local: a.yml, remote: "https://x/y.yml"}`, `has both local and remote`},
		{`{file: x.yml}`, `has none of local, remote`},
		{`{local: a.yml, rulez: []}`, `unknown keyword "rulez" in include`},
	}
	for _, tc := range tests {
		t.Run(tc.include, func(t *testing.T) {
			t.Parallel()
			_, err := compileFiles(t, map[string]string{".gitlab-ci.yml": "include: " + tc.include + "\nj: {script: [x]}\n", "a.yml": "x: {script: [x]}\n"}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// Remote includes are fetched over HTTPS (a loopback test server), cached
// on disk, and served from the cache with --offline.
func TestRemoteInclude(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/ci/remote.yml":
			_, _ = w.Write([]byte("remote-job: {script: [from remote]}\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	srv.StartTLS()
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("test server is not on loopback: %s", srv.URL)
	}
	cache := t.TempDir()
	pipeline := map[string]string{".gitlab-ci.yml": "include: '" + srv.URL + "/ci/remote.yml'\n"}
	withRemote := func(offline bool) func(*Options) {
		return func(o *Options) { o.Remote = Remote{Client: srv.Client(), CacheDir: cache, Offline: offline} }
	}
	plan, err := compileFiles(t, pipeline, withRemote(false))
	if err != nil {
		t.Fatal(err)
	}
	if got := jobNamed(t, plan, "remote-job").Payload.Steps[0].Script; !cmp.Equal(got, []string{"from remote"}) {
		t.Errorf("script = %v", got)
	}
	entries, err := os.ReadDir(cache)
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache holds %d entries (%v), want 1", len(entries), err)
	}
	before := hits.Load()
	if _, err := compileFiles(t, pipeline, withRemote(true)); err != nil {
		t.Fatalf("offline with a cached copy: %v", err)
	}
	if hits.Load() != before {
		t.Errorf("--offline made a request")
	}
	_, err = compileFiles(t, map[string]string{".gitlab-ci.yml": "include: '" + srv.URL + "/missing.yml'\n"}, withRemote(false))
	if err == nil || !strings.Contains(err.Error(), "could not be fetched: HTTP 404") {
		t.Errorf("404 error = %v", err)
	}
}

// A remote URL with credentials never shows them in messages.
func TestRemoteIncludeRedactsCredentials(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	url := strings.Replace(srv.URL, "https://", "https://user:hunter2-password@", 1) + "/x.yml?private_token=glpat-abcdefghijklmnopqrst"
	_, err := compileFiles(t, map[string]string{".gitlab-ci.yml": "include: '" + url + "'\n"}, func(o *Options) {
		o.Remote = Remote{Client: srv.Client(), CacheDir: t.TempDir()}
	})
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "glpat-") {
		t.Errorf("error = %v", err)
	}
}

func TestPreview(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(dir+"/"+name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitlab-ci.yml", `include: inc.yml
.tmpl: &tmpl
  image: alpine
  script: [from-template]
job:
  <<: *tmpl
  extends: .base
  after_script: !reference [.base, before_script]
`)
	write("inc.yml", ".base:\n  before_script: [setup]\n  variables: {A: \"1\"}\n")
	out, err := Preview(context.Background(), Options{Dir: dir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "preview", out)
}
