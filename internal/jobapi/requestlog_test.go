package jobapi

import (
	"net/url"
	"strings"
	"testing"
)

func TestMaskedURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/api/v4/job", "/api/v4/job"},
		{"/api/v4/job?job_token=glcbt-abc", "/api/v4/job?job_token=[MASKED]"},
		{"/x?a=1&TOKEN=s3cr3t&b=2", "/x?a=1&TOKEN=[MASKED]&b=2"},
		{"/x?private_token=p&access_token=a&password=w", "/x?private_token=[MASKED]&access_token=[MASKED]&password=[MASKED]"},
		{"/x?job%5Ftoken=glcbt-abc", "/x?job%5Ftoken=[MASKED]"},
		{"/x?token", "/x?token"},
		{"/a%2Fb/releases?ref=main", "/a%2Fb/releases?ref=main"},
		{"/x?X-Amz-Signature=abc&rss_token=r", "/x?X-Amz-Signature=[MASKED]&rss_token=[MASKED]"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := maskedURL(u); got != tt.want {
			t.Errorf("maskedURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLogLineIsOneLine(t *testing.T) {
	t.Parallel()
	u := &url.URL{Path: "/api/v4/job", RawQuery: "a=1\n2026-01-02T03:04:05Z GET /forged allowed"}
	e := logEntry{method: "GET\r\nX", url: u, reason: "no valid job token"}
	got := e.line(fixedClock(), 401)
	if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") || strings.Contains(got, "\r") {
		t.Errorf("line %q is not exactly one line", got)
	}
}

func TestLogLineKeepsShortBogusCredentials(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("/api/v4/job")
	e := logEntry{method: "GET", url: u, reason: "unknown or expired job token (JOB-TOKEN header)", secret: "0"}
	want := "2026-01-02T03:04:05Z GET /api/v4/job job=- project=- denied 401: unknown or expired job token (JOB-TOKEN header)\n"
	if got := e.line(fixedClock(), 401); got != want {
		t.Errorf("line =\n%q, want\n%q", got, want)
	}
}

func TestLogLineMasksTokensByPrefix(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("/api/v4/projects/1/jobs/artifacts/glcbt-0ther.job%2Btoken/download?job=glpat-abc_DEF-1")
	e := logEntry{method: "GET", url: u, job: "3", project: "g/a", allowed: true, reason: "own project"}
	got := e.line(fixedClock(), 404)
	want := "2026-01-02T03:04:05Z GET /api/v4/projects/1/jobs/artifacts/glcbt-[MASKED]/download?job=glpat-[MASKED] job=3 project=g/a allowed 404: own project\n"
	if got != want {
		t.Errorf("line =\n%q, want\n%q", got, want)
	}
}

func TestLogLineMasksThePresentedSecret(t *testing.T) {
	t.Parallel()
	secret := "glcbt-pasted/into+the path"
	u, _ := url.Parse("/api/v4/projects/1/packages/generic/" + url.PathEscape(secret) + "/1/f?ref=" + url.QueryEscape(secret))
	e := logEntry{method: "PUT", url: u, reason: "no valid job token", secret: secret}
	got := e.line(fixedClock(), 401)
	want := "2026-01-02T03:04:05Z PUT /api/v4/projects/1/packages/generic/[MASKED]/1/f?ref=[MASKED] job=- project=- denied 401: no valid job token\n"
	if got != want {
		t.Errorf("line =\n%q, want\n%q", got, want)
	}
}

// TestRequestLogGolden drives a job's typical requests with curl and
// compares the request log, tokens masked, with a golden file.
func TestRequestLogGolden(t *testing.T) {
	t.Parallel()
	rec := &triggerRecorder{}
	ts := startServer(t, Config{Projects: append(appProjects(), Project{ID: 3, FullPath: "oss/tool", Visibility: Public}), Trigger: rec.trigger})
	token := ts.register(t, 1, 61, "build")
	ended := ts.register(t, 1, 60, "prepare")
	ts.Revoke(ended)
	api := ts.URL() + "/api/v4"
	steps := []struct{ config, args string }{
		{jobTokenHeader(token), api + "/job"},
		{urlConfig(api + "/job?job_token=" + token), ""},
		{jobTokenHeader(ended), api + "/job"},
		{"", api + "/job"},
		{jobTokenHeader(token), "--upload-file /dev/null " + api + "/projects/group%2Fapp/packages/generic/tool/1.0/tool.bin"},
		{jobTokenHeader(token), api + "/projects/group%2Fapp/packages/generic/tool/1.0/tool.bin"},
		{jobTokenHeader(token), api + "/projects/2/packages/generic/lib/1.0/lib.tgz"},
		{jobTokenHeader(token), api + "/projects/oss%2Ftool/packages/generic/tool/2.0/tool.tgz"},
		{jobTokenHeader(token), "--upload-file /dev/null " + api + "/projects/3/packages/generic/tool/2.0/tool.tgz"},
		{jobTokenHeader(token), api + "/projects/99/jobs/artifacts/main/download?job=x"},
		{`form = "token=` + token + "\"\nform = \"ref=main\"\n", api + "/projects/1/trigger/pipeline"},
		{jobTokenHeader(token), api + "/projects/1/secrets"},
	}
	for _, s := range steps {
		curl(t, s.config, strings.Fields(s.args)...)
	}
	log := ts.log.String()
	assertNoSecret(t, log, ts.dataDir, token, ended)
	assertGolden(t, log)
}
