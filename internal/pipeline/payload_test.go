package pipeline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

func TestPayloadKeywords(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
variables: {REG: registry.example.com, ENV: prod}
j:
  image:
    name: $REG/app:1
    entrypoint: [""]
    docker: {platform: linux/arm64, user: "1000"}
    pull_policy: [always, if-not-present]
  services:
    - postgres:16
    - name: $REG/redis
      alias: cache,redis
      command: [redis-server, --appendonly, "yes"]
      variables: {REDIS_PASSWORD: pw}
  hooks:
    pre_get_sources_script: [echo hook]
  id_tokens:
    VAULT_ID_TOKEN: {aud: https://vault.example.com}
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    url: https://$CI_COMMIT_REF_SLUG.example.com
    deployment_tier: staging
  artifacts:
    name: bin-$CI_JOB_NAME
    paths: [bin/]
    exclude: [bin/*.tmp]
    expire_in: 1 week
    when: always
    reports:
      dotenv: build.env
      junit: [report.xml]
  cache:
    - key: deps-$ENV
      paths: [vendor/]
      policy: pull
    - paths: [.cache]
  script:
    - echo a
    - [echo b, echo c]
  after_script: echo done
`)
	p := jobNamed(t, plan, "j").Payload
	wantImage := job.Image{Name: "registry.example.com/app:1", Entrypoint: []string{""}, Ports: []job.Port{}, PullPolicy: []string{"always", "if-not-present"},
		ExecutorOpts: job.ExecutorOpts{Docker: &job.DockerOpts{Platform: "linux/arm64", User: "1000"}}}
	if diff := cmp.Diff(wantImage, p.Image); diff != "" {
		t.Errorf("image (-want +got):\n%s", diff)
	}
	if len(p.Services) != 2 || p.Services[0].Name != "postgres:16" || p.Services[1].Name != "registry.example.com/redis" ||
		p.Services[1].Alias != "cache,redis" || !cmp.Equal(p.Services[1].Command, []string{"redis-server", "--appendonly", "yes"}) ||
		p.Services[1].Variables.Value("REDIS_PASSWORD") != "pw" {
		t.Errorf("services: %+v", p.Services)
	}
	if diff := cmp.Diff([]job.Hook{{Name: "pre_get_sources_script", Script: []string{"echo hook"}}}, p.Hooks); diff != "" {
		t.Errorf("hooks (-want +got):\n%s", diff)
	}
	wantArtifacts := []job.Artifact{
		{Name: "bin-$CI_JOB_NAME", Paths: []string{"bin/"}, Exclude: []string{"bin/*.tmp"}, When: "always", ExpireIn: "1 week", ArtifactType: "archive", ArtifactFormat: "zip"},
		{Name: "dotenv", Paths: []string{"build.env"}, When: "always", ExpireIn: "1 week", ArtifactType: "dotenv", ArtifactFormat: "gzip"},
		{Name: "junit", Paths: []string{"report.xml"}, When: "always", ExpireIn: "1 week", ArtifactType: "junit", ArtifactFormat: "gzip"},
	}
	if diff := cmp.Diff(wantArtifacts, p.Artifacts); diff != "" {
		t.Errorf("artifacts (-want +got):\n%s", diff)
	}
	wantCache := []job.Cache{
		{Key: "deps-prod", Paths: []string{"vendor/"}, Policy: "pull", When: "on_success", FallbackKeys: []string{}},
		{Key: "default", Paths: []string{".cache"}, Policy: "pull-push", When: "on_success", FallbackKeys: []string{}},
	}
	if diff := cmp.Diff(wantCache, p.Cache); diff != "" {
		t.Errorf("cache (-want +got):\n%s", diff)
	}
	wantSteps := []job.Step{
		{Name: "script", Script: []string{"echo a", "echo b", "echo c"}, Timeout: 3600, When: "on_success"},
		{Name: "after_script", Script: []string{"echo done"}, Timeout: 3600, When: "always", AllowFailure: true},
	}
	if diff := cmp.Diff(wantSteps, p.Steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	j := jobNamed(t, plan, "j")
	if diff := cmp.Diff(&Environment{Name: "review/main", URL: "https://main.example.com", Action: "start", Tier: "staging"}, j.Environment); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if varOf(j, "CI_ENVIRONMENT_NAME") != "review/main" || varOf(j, "CI_ENVIRONMENT_SLUG") != "review-main" {
		t.Errorf("CI_ENVIRONMENT_*: %q %q", varOf(j, "CI_ENVIRONMENT_NAME"), varOf(j, "CI_ENVIRONMENT_SLUG"))
	}
	if got := j.IDTokens["VAULT_ID_TOKEN"].Aud; !cmp.Equal(got, []string{"https://vault.example.com"}) {
		t.Errorf("id_tokens: %v", got)
	}
}

// Precedence: predefined < global < job < rules < variables file <
// command line; secrets are masked and never printed.
func TestVariablePrecedenceAndSecrets(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-Value_123"
	plan, err := compileFiles(t, map[string]string{".gitlab-ci.yml": `
variables:
  CI_PROJECT_NAME: from-global
  LEVEL: global
  G: global
  RAW: {value: "$G literally", expand: false}
  DESCRIBED: {value: "x", description: "a choice", options: [x, y]}
j:
  variables: {LEVEL: job, J: job}
  rules: [{variables: {LEVEL: rules, R: rules}}]
  script: [x]
`}, func(o *Options) {
		o.FileVars = job.Variables{{Key: "LEVEL", Value: "file", Public: true}, {Key: "F", Value: "file", Public: true}, {Key: "KEYFILE", Value: "key-content", File: true}}
		o.CLIVars = job.Variables{{Key: "C", Value: "cli", Public: true}, {Key: "TOKEN", Value: secret, Masked: true}}
	})
	if err != nil {
		t.Fatal(err)
	}
	j := jobNamed(t, plan, "j")
	for k, want := range map[string]string{"CI_PROJECT_NAME": "from-global", "LEVEL": "file", "G": "global", "J": "job", "R": "rules", "F": "file", "C": "cli", "TOKEN": secret, "DESCRIBED": "x"} {
		if got := varOf(j, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, v := range j.Payload.Variables {
		switch v.Key {
		case "RAW":
			if !v.Raw || v.Value != "$G literally" {
				t.Errorf("expand: false → %+v, want raw and unexpanded", v)
			}
		case "TOKEN":
			if !v.Masked || v.Public {
				t.Errorf("secret → %+v, want masked and not public", v)
			}
		}
	}
	var out bytes.Buffer
	if err := WriteJSON(&out, plan); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), secret) || strings.Contains(out.String(), "key-content") {
		t.Errorf("--list --json output holds a secret value")
	}
	for _, want := range []string{`"key": "TOKEN"`, `"value": "[MASKED]"`, `"key": "LEVEL"`, `"value": "file"`, `"name": "j"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--list --json output lacks %s", want)
		}
	}
	if varOf(j, "TOKEN") != secret {
		t.Errorf("redacting changed the plan itself")
	}
}

func TestParseVariablesFile(t *testing.T) {
	t.Parallel()
	got, err := ParseVariablesFile("vars.yml", []byte(`
PLAIN: hello
NUMBER: 42
TOKEN: {value: abc123secret, masked: true}
KEY: {value: "-----BEGIN KEY-----", type: file}
SCOPED: {values: {"*": all, production: prod}}
LITERAL: {value: "$X", expand: false}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := job.Variables{
		{Key: "PLAIN", Value: "hello", Public: true},
		{Key: "NUMBER", Value: "42", Public: true},
		{Key: "TOKEN", Value: "abc123secret", Masked: true},
		{Key: "KEY", Value: "-----BEGIN KEY-----", File: true},
		{Key: "SCOPED", Value: "all", Public: true},
		{Key: "LITERAL", Value: "$X", Public: true, Raw: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = ParseVariablesFile("vars.yml", []byte("TOKEN: {abc123secret}\n"))
	if err == nil || !strings.Contains(err.Error(), "vars.yml:1:9: variable TOKEN has an unknown key") || strings.Contains(err.Error(), "abc123secret") {
		t.Errorf("a secret written as a key: error = %v", err)
	}
	_, err = ParseVariablesFile("vars.yml", []byte("TOKEN: {value: abc123secret, masked: maybe}\n"))
	if err == nil || !strings.Contains(err.Error(), "vars.yml:1:") || strings.Contains(err.Error(), "abc123secret") {
		t.Errorf("bad flag error = %v", err)
	}
}

func TestCLIVariables(t *testing.T) {
	t.Parallel()
	env := func(k string) (string, bool) {
		if k == "FROM_ENV" {
			return "env-secret-value", true
		}
		return "", false
	}
	got, err := CLIVariables([]string{"A=1", "B=x=y"}, []string{"S=inline-secret", "FROM_ENV"}, env)
	if err != nil {
		t.Fatal(err)
	}
	want := job.Variables{{Key: "A", Value: "1", Public: true}, {Key: "B", Value: "x=y", Public: true},
		{Key: "S", Value: "inline-secret", Masked: true}, {Key: "FROM_ENV", Value: "env-secret-value", Masked: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ vars, secrets []string }{{[]string{"novalue"}, nil}, {nil, []string{"MISSING"}}, {nil, []string{"bad key=hidden-value"}}} {
		_, err := CLIVariables(tc.vars, tc.secrets, env)
		if err == nil || strings.Contains(err.Error(), "hidden-value") {
			t.Errorf("%v %v: error %v", tc.vars, tc.secrets, err)
		}
	}
}

// A secret expanded into another keyword is still absent from --list
// --json and from error messages.
func TestSecretsExpandedIntoKeywords(t *testing.T) {
	t.Parallel()
	const secret = "registry<pass>&0123456789"
	secrets := func(o *Options) { o.CLIVars = job.Variables{{Key: "SECRET", Value: secret, Masked: true}} }
	plan, err := compileFiles(t, map[string]string{".gitlab-ci.yml": `
j:
  image: registry.example.com/$SECRET/app
  environment: {name: prod, url: "https://$SECRET.example.com"}
  script: [echo]
`}, secrets)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteJSON(&out, plan); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), secret) {
		t.Errorf("secret printed")
	}
	for _, want := range []string{`"name": "registry.example.com/[MASKED]/app"`, `"url": "https://[MASKED].example.com"`, `"value": "[MASKED]"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s", want)
		}
	}
	_, err = compileFiles(t, map[string]string{".gitlab-ci.yml": "include: {local: 'ci/$SECRET.yml'}\n"}, secrets)
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "ci/[MASKED].yml") {
		t.Errorf("error = %v", err)
	}
}
