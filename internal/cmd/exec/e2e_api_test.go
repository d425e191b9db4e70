package exec

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// appPipeline exercises the job-token API with the clients real jobs
// use: curl and git, inside jobs run by the shell executor.
const appPipeline = `stages: [build, use]
build:
  stage: build
  script:
    - echo built-by-build > out.txt
    - echo payload-v1 > pkg.txt
    - 'curl -sf --header "JOB-TOKEN: $CI_JOB_TOKEN" --upload-file pkg.txt "$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/generic/tool/1.0/pkg.txt" >/dev/null && echo upload ok'
    - 'curl -sf --header "JOB-TOKEN: $CI_JOB_TOKEN" "$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/generic/tool/1.0/pkg.txt"'
    - 'curl -sf --header "JOB-TOKEN: $CI_JOB_TOKEN" "$CI_API_V4_URL/job" | grep -o "\"name\":\"build\""'
    - printf %s "$CI_JOB_TOKEN" > "$TOKEN_FILE"
    - 'curl -sf --header "JOB-TOKEN: $CI_JOB_TOKEN" --data tag_name=$RELEASE_TAG --data name=local "$CI_API_V4_URL/projects/$CI_PROJECT_ID/releases" | grep -o "\"tag_name\":\"$RELEASE_TAG\""'
  artifacts:
    paths: [out.txt]
use:
  stage: use
  script:
    - 'curl -sf "$CI_API_V4_URL/projects/$CI_PROJECT_ID/jobs/artifacts/main/raw/out.txt?job=build&job_token=$CI_JOB_TOKEN"'
    - 'echo "old token: $(curl -s -o /dev/null -w "%{http_code}" --header "JOB-TOKEN: $(cat "$TOKEN_FILE")" "$CI_API_V4_URL/job")"'
    - 'git clone -q "$CI_SERVER_PROTOCOL://gitlab-ci-token:${CI_JOB_TOKEN}@$CI_SERVER_HOST:$CI_SERVER_PORT/group/pub.git" "$CLONE_DIR/pub" && cat "$CLONE_DIR/pub/README"'
    - 'if git ls-remote "$CI_SERVER_PROTOCOL://gitlab-ci-token:${CI_JOB_TOKEN}@$CI_SERVER_HOST:$CI_SERVER_PORT/group/lib.git" >/dev/null 2>&1; then echo "lib: allowed"; else echo "lib: denied"; fi'
    - 'if [ "$TRIGGER" = yes ]; then curl -sf --form token=$CI_JOB_TOKEN --form ref=main --form "variables[GREETING]=from-app" "$CI_API_V4_URL/projects/group%2Flib/trigger/pipeline" | grep -o "\"status\":\"[a-z]*\""; fi'
`

const libPipeline = `downstream:
  script:
    - echo "CI_PIPELINE_SOURCE=$CI_PIPELINE_SOURCE GREETING=$GREETING project=$CI_PROJECT_PATH"
`

// TestExecJobTokenAPI runs the pipeline twice: first with group/lib's
// allowlist empty (the secure default: denied, with a note in the job's
// log), then with the app's project on it (allowed, and its pipeline
// triggered downstream).
func TestExecJobTokenAPI(t *testing.T) {
	t.Parallel()
	needCurl(t)
	root, app, lib, pub := apiProjects(t)
	// The job's own copies of its token (a saved file, a clone's
	// .git/config) go outside .jobrun/, which is scanned for tokens.
	outside := t.TempDir()
	tokenFile := filepath.Join(outside, "saved-token")
	projects := func(allowlist []any) any {
		return []any{
			map[string]any{"id": 2, "path": "group/lib", "dir": lib, "visibility": "private",
				"job_token_scope": map[string]any{"allowlist": allowlist}},
			map[string]any{"id": 3, "path": "group/pub", "dir": "../pub", "visibility": "public"},
		}
	}
	env := map[string]string{}
	runWith := func(allowlist []any, trigger, release string) pipelineRun {
		return execPipeline(context.Background(), t, app, env, func(o *Options) {
			o.ProjectsConfig = projects(allowlist)
			o.Vars = []string{"TOKEN_FILE=" + tokenFile, "TRIGGER=" + trigger, "RELEASE_TAG=" + release, "CLONE_DIR=" + t.TempDir()}
		})
	}

	denied := runWith([]any{}, "no", "v1.0.0")
	if denied.exitCode != 0 {
		apiLog, _ := os.ReadFile(filepath.Join(app, ".jobrun", "logs", "1", "api.log"))
		t.Fatalf("exit %d\n%s\n%s\n%s", denied.exitCode, denied.out, denied.errOut, apiLog)
	}
	for _, want := range []string{"upload ok", "payload-v1", `"name":"build"`, "built-by-build",
		"old token: 401", "public readme", "lib: denied", `"tag_name":"v1.0.0"`,
		"jobrun: job token of", "denied access to group/lib (404): group/lib's job token allowlist lacks"} {
		if !strings.Contains(denied.logs["build.log"]+denied.logs["use.log"], want) {
			t.Errorf("first run: the job logs lack %q\n%s%s", want, denied.logs["build.log"], denied.logs["use.log"])
		}
	}
	if n := countFiles(t, filepath.Join(app, ".jobrun", "releases")); n == 0 {
		t.Error("no release recorded under .jobrun/releases")
	}
	assertNoTokenUnder(t, app, lib, pub)
	golden := "== first run: api.log ==\n" + denied.normalise(readFile(t, filepath.Join(app, ".jobrun", "logs", "1", "api.log"))) +
		"== first run: use.log ==\n" + denied.normalise(denied.logs["use.log"])

	allowed := runWith([]any{"1"}, "yes", "v1.0.1")
	if allowed.exitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", allowed.exitCode, allowed.out, allowed.errOut)
	}
	use := allowed.logs["use.log"]
	for _, want := range []string{"lib: allowed", `"status":"success"`} {
		if !strings.Contains(use, want) {
			t.Errorf("second run: use.log lacks %q\n%s", want, use)
		}
	}
	if strings.Contains(use, "denied access") {
		t.Errorf("second run: a denial note although group/lib allows the app:\n%s", use)
	}
	wantDownstream := "group/lib: "
	if !regexp.MustCompile(`(?m)^group/lib: .*CI_PIPELINE_SOURCE=pipeline GREETING=from-app project=group/lib`).MatchString(allowed.out) {
		t.Errorf("the downstream pipeline's output (prefixed %q) is missing:\n%s", wantDownstream, allowed.out)
	}
	apiLog, err := os.ReadFile(filepath.Join(app, ".jobrun", "logs", "1", "api.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"POST /api/v4/projects/group%2Flib/trigger/pipeline", "allowed 201"} {
		if !strings.Contains(string(apiLog), want) {
			t.Errorf("api.log lacks %q:\n%s", want, apiLog)
		}
	}
	allowed.assertAbsent(t)
	assertNoTokenUnder(t, app, lib, pub)
	golden += "== second run: api.log ==\n" + allowed.normalise(string(apiLog)) +
		"== second run: terminal ==\n" + allowed.normalise(allowed.out)
	golden = strings.ReplaceAll(golden, root, "$ROOT")
	testutil.Golden(t, filepath.Join("testdata", t.Name()+".golden"), []byte(golden))
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiProjects makes three git projects below one root: app (the
// pipeline above), lib (a pipeline of its own) and pub (no pipeline).
func apiProjects(t *testing.T) (root, app, lib, pub string) {
	t.Helper()
	root = t.TempDir()
	app, lib, pub = filepath.Join(root, "app"), filepath.Join(root, "lib"), filepath.Join(root, "pub")
	for dir, files := range map[string]map[string]string{
		app: {".gitlab-ci.yml": appPipeline},
		lib: {".gitlab-ci.yml": libPipeline, "README": "lib\n"},
		pub: {"README": "public readme\n"},
	} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		gitInit(t, dir)
	}
	return root, app, lib, pub
}

// assertNoTokenUnder scans every file jobrun wrote under the projects'
// .jobrun directories (logs, api.log, packages, artifacts, builds) for a
// job token.
func assertNoTokenUnder(t *testing.T, dirs ...string) {
	t.Helper()
	tokenRe := regexp.MustCompile(`glcbt-[0-9A-Za-z]{8}`)
	for _, dir := range dirs {
		_ = filepath.WalkDir(filepath.Join(dir, ".jobrun"), func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err == nil && tokenRe.Match(b) {
				t.Errorf("a job token is in %s", path)
			}
			return nil
		})
	}
}

// needCurl skips a test whose jobs use curl when it is not installed, or
// fails it in CI (scripts/setup.sh installs it).
func needCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		testutil.Missing(t, "curl is not installed: %v", err)
	}
}
