package jobapi

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path string
		want         route
		wantStatus   int
	}{
		{"GET", "/api/v4/job", route{kind: routeJob}, 0},
		{"HEAD", "/api/v4/job", route{kind: routeJob}, 0},
		{"POST", "/api/v4/job", route{}, 405},
		{"PUT", "/api/v4/projects/7/packages/generic/tool/1.2.3/tool-linux.tar.gz",
			route{kind: routePackagePut, project: "7", pkg: "tool", version: "1.2.3", file: "tool-linux.tar.gz"}, 0},
		{"GET", "/api/v4/projects/group%2Fapp/packages/generic/tool/v1.0-rc.1+b2/a_b.tar.gz",
			route{kind: routePackageGet, project: "group/app", pkg: "tool", version: "v1.0-rc.1+b2", file: "a_b.tar.gz"}, 0},
		{"PUT", "/api/v4/projects/7/packages/generic/tool/./f", route{}, 400},
		{"PUT", "/api/v4/projects/7/packages/generic/tool/1/a~b", route{}, 400},
		{"DELETE", "/api/v4/projects/7/packages/generic/tool/1/f", route{}, 405},
		{"PUT", "/api/v4/projects/7/packages/generic/../1/f", route{}, 400},
		{"PUT", "/api/v4/projects/7/packages/generic/%2e%2e/1/f", route{}, 400},
		{"PUT", "/api/v4/projects/7/packages/generic/tool/1..2/f", route{}, 400},
		{"PUT", "/api/v4/projects/7/packages/generic/tool/1/..", route{}, 400},
		{"PUT", "/api/v4/projects/7/packages/generic/tool/1/a%2Fb", route{}, 400},
		{"PUT", "/api/v4/projects/7/packages/generic/tool/1/a%00b", route{}, 400},
		{"PUT", "/api/v4/projects/7/packages/generic/tool/1/a/b", route{}, 404},
		{"GET", "/api/v4/projects/7/jobs/artifacts/main/download",
			route{kind: routeArtifactsZip, project: "7", ref: "main"}, 0},
		{"GET", "/api/v4/projects/7/jobs/artifacts/feature%2Fx/raw/out/report.txt",
			route{kind: routeArtifactRaw, project: "7", ref: "feature/x", artifactPath: "out/report.txt"}, 0},
		{"GET", "/api/v4/projects/7/jobs/artifacts/main/raw/../secret", route{}, 400},
		{"GET", "/api/v4/projects/7/jobs/artifacts/main/raw/%2e%2e%2fsecret", route{}, 400},
		{"GET", "/api/v4/projects/7/jobs/artifacts/main/raw/", route{}, 400},
		{"GET", "/api/v4/projects/7/jobs/artifacts/main/other", route{}, 404},
		{"POST", "/api/v4/projects/group%2Fdown/trigger/pipeline", route{kind: routeTrigger, project: "group/down"}, 0},
		{"GET", "/api/v4/projects/7/trigger/pipeline", route{}, 405},
		{"POST", "/api/v4/projects/7/releases", route{kind: routeRelease, project: "7"}, 0},
		{"GET", "/group/app.git/info/refs", route{kind: routeGit, project: "group/app", gitService: "info/refs"}, 0},
		{"POST", "/group/sub/app.git/git-upload-pack", route{kind: routeGit, project: "group/sub/app", gitService: "git-upload-pack"}, 0},
		{"POST", "/group/app.git/git-receive-pack", route{kind: routeGit, project: "group/app", gitService: "git-receive-pack"}, 0},
		{"GET", "/group/app.git/HEAD", route{}, 404},
		{"GET", "/group/app.git/objects/info/packs", route{}, 404},
		{"GET", "/../app.git/info/refs", route{}, 404},
		{"GET", "/api/v4/projects", route{}, 404},
		{"GET", "/api/v4/users", route{}, 404},
		{"GET", "/", route{}, 404},
		{"GET", "/api/v4/projects/%zz/releases", route{}, 400},
		{"GET", "relative", route{}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			got, err := parseRoute(tt.method, tt.path)
			if tt.wantStatus != 0 {
				if err == nil || err.status != tt.wantStatus {
					t.Fatalf("parseRoute = %+v, %v; want status %d", got, err, tt.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRoute: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(route{})); diff != "" {
				t.Errorf("route mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseRoute checks that no path, however escaped, yields a route
// whose names could leave the directories they are joined to.
func FuzzParseRoute(f *testing.F) {
	for _, seed := range []string{
		"/api/v4/job",
		"/api/v4/projects/7/packages/generic/tool/1.2.3/file.bin",
		"/api/v4/projects/a%2Fb/packages/generic/%2e%2e/1/f",
		"/api/v4/projects/7/jobs/artifacts/main/raw/a/b/../../c",
		"/api/v4/projects/7/jobs/artifacts/main/download",
		"/api/v4/projects/7/trigger/pipeline",
		"/group/app.git/info/refs",
		"/a/..%2f.git/git-upload-pack",
	} {
		f.Add(http.MethodGet, seed)
		f.Add(http.MethodPut, seed)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		r, err := parseRoute(method, path)
		if err != nil {
			if r != (route{}) {
				t.Fatalf("error %v with a non-empty route %+v", err, r)
			}
			return
		}
		for _, name := range []string{r.pkg, r.version, r.file} {
			if name != "" && (!filepath.IsLocal(name) || strings.ContainsAny(name, `/\`)) {
				t.Fatalf("package name %q can leave the package store", name)
			}
		}
		if r.kind == routeArtifactRaw && !filepath.IsLocal(r.artifactPath) {
			t.Fatalf("artifact path %q is not local", r.artifactPath)
		}
		if r.kind == routeGit && !validFullPath(r.project) {
			t.Fatalf("git project %q is not a project path", r.project)
		}
		if r.kind == routeNone {
			t.Fatal("no error and no route")
		}
	})
}
