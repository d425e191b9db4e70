package docker

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

func TestServiceAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, alias string
		want        []string
	}{
		{"postgres:15", "", []string{"postgres"}},
		{"postgres", "", []string{"postgres"}},
		{"registry.example.com/group/tool:1", "", []string{"registry.example.com__group__tool", "registry.example.com-group-tool"}},
		{"localhost:5000/tool:2.1", "", []string{"localhost:5000__tool", "localhost:5000-tool"}},
		{"redis@sha256:0123abcd", "", []string{"redis"}},
		{"docker.io/library/nginx:1.27@sha256:ff", "", []string{"docker.io__library__nginx", "docker.io-library-nginx"}},
		{"postgres:15", "db", []string{"postgres", "db"}},
		{"postgres:15", "db,primary  replica", []string{"postgres", "db", "primary", "replica"}},
		{"mysql:8", "mysql, db,db", []string{"mysql", "db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"|"+tt.alias, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, ServiceAliases(tt.name, tt.alias)); diff != "" {
				t.Errorf("ServiceAliases(%q, %q) (-want +got):\n%s", tt.name, tt.alias, diff)
			}
		})
	}
}

func TestProjectDir(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"acme/app":            "/builds/acme/app",
		"group/sub/project":   "/builds/group/sub/project",
		"":                    "/builds/project",
		"../../etc":           "/builds/etc",
		"/abs/../../x":        "/builds/x",
		"  spaced/project  ":  "/builds/spaced/project",
		"acme/app/../other":   "/builds/acme/other",
		"acme//app/./":        "/builds/acme/app",
		"..":                  "/builds/project",
		"group/project-1.2_x": "/builds/group/project-1.2_x",
	}
	for in, want := range tests {
		if got := ProjectDir(in); got != want {
			t.Errorf("ProjectDir(%q) = %q, want %q", in, got, want)
		}
	}
}

// The script's environment is translated to the container's view.
func TestEnvTranslation(t *testing.T) {
	t.Setenv("PATH", "/host/bin") // not parallel: sets the environment
	t.Setenv("HOME", "/home/host")
	s := &session{hostDir: "/tmp/work/app", givenDir: "app", projectDir: "/builds/acme/app"}
	in := []string{
		"PATH=/host/bin",                      // the host's own: dropped
		"HOME=/custom/home",                   // a job's own value: kept
		"CI_PROJECT_DIR=/tmp/work/app",        // translated
		"RELATIVE_DIR=app",                    // as the runner was given it
		"CI_BUILDS_DIR=/tmp/work",             // the builds root
		"REPORT=/tmp/work/app/out/report.xml", // under the working copy
		"OTHER=/tmp/work/application",         // merely a common prefix
		"SECRET=s3cr3t=with=equals",           // values with '=' survive
		"EMPTY=",                              // empty survives
	}
	want := []string{
		"HOME=/custom/home",
		"CI_PROJECT_DIR=/builds/acme/app",
		"RELATIVE_DIR=/builds/acme/app",
		"CI_BUILDS_DIR=/builds",
		"REPORT=/builds/acme/app/out/report.xml",
		"OTHER=/tmp/work/application",
		"SECRET=s3cr3t=with=equals",
		"EMPTY=",
	}
	if diff := cmp.Diff(want, s.env(in)); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}

func TestPullPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		def      string
		policies []string
		want     string
		wantErr  string
	}{
		{"default", "", nil, PullIfNotPresent, ""},
		{"executor default", PullNever, nil, PullNever, ""},
		{"image wins", PullNever, []string{PullAlways}, PullAlways, ""},
		{"first of the list", "", []string{PullIfNotPresent, PullAlways}, PullIfNotPresent, ""},
		{"unknown", "", []string{"sometimes"}, "", `image img: pull policy "sometimes": expected always, if-not-present or never`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := &Docker{opts: Options{PullPolicy: tt.def}}
			got, err := d.pullPolicy(job.Image{Name: "img", PullPolicy: tt.policies})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("pullPolicy = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"zero", Options{}, ""},
		{"all good", Options{PullPolicy: PullAlways, Volumes: []string{"/cache", "/h:/c", "/h:/c:ro", "named:/c:rw"}}, ""},
		{"pull policy", Options{PullPolicy: "sometimes"}, `pull policy "sometimes": expected always, if-not-present or never`},
		{"relative", Options{Volumes: []string{"cache"}}, `volume "cache": expected HOST:CONTAINER[:ro|rw] or an absolute /path`},
		{"relative target", Options{Volumes: []string{"/h:c"}}, `volume "/h:c": expected HOST:CONTAINER[:ro|rw] or an absolute /path`},
		{"bad mode", Options{Volumes: []string{"/h:/c:rx"}}, `volume "/h:/c:rx": expected HOST:CONTAINER[:ro|rw] or an absolute /path`},
		{"empty host", Options{Volumes: []string{":/c"}}, `volume ":/c": expected HOST:CONTAINER[:ro|rw] or an absolute /path`},
		{"too many parts", Options{Volumes: []string{"/a:/b:ro:x"}}, `volume "/a:/b:ro:x": expected HOST:CONTAINER[:ro|rw] or an absolute /path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.opts.Validate()
			if (err == nil) != (tt.want == "") || (err != nil && err.Error() != tt.want) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestServiceEnv(t *testing.T) {
	t.Parallel()
	jobVars := job.Variables{
		{Key: "POSTGRES_DB", Value: "app", Public: true},
		{Key: "CI_JOB_TOKEN", Value: "glcbt-secret", Masked: true},
		{Key: "API_KEY", Value: "masked-public", Public: true, Masked: true},
		{Key: "PROJECT_SECRET", Value: "settings-variable"}, // not public: from project settings
		{Key: "KEY_FILE", Value: "file-content", Public: true, File: true},
		{Key: "POSTGRES_USER", Value: "job-user", Public: true},
	}
	own := job.Variables{{Key: "POSTGRES_USER", Value: "svc-user", Public: true}}
	want := []string{"POSTGRES_DB=app", "POSTGRES_USER=svc-user"}
	if diff := cmp.Diff(want, serviceEnv(jobVars, own)); diff != "" {
		t.Errorf("serviceEnv (-want +got):\n%s", diff)
	}
}
