package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/jobrun/jobrun/internal/iostreams"
)

var formatFixtures = []string{"insecure", "suppressed", "clean", "notrunner"}

// plain is a palette without colour, as on a pipe.
func plain() iostreams.Palette {
	ios, _, _, _ := iostreams.Test()
	return ios.Palette()
}

func render(t *testing.T, r *Report, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf, f, plain()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFormats pins every output format for a few fixtures.
func TestFormats(t *testing.T) {
	t.Parallel()
	for _, name := range formatFixtures {
		for _, format := range Formats {
			t.Run(name+"/"+string(format), func(t *testing.T) {
				t.Parallel()
				r := lintFixture(t, "testdata/formats/"+name+".toml", Options{})
				r.ToolVersion = "test"
				assertGolden(t, "formats/"+name+"."+string(format), render(t, r, format))
			})
		}
	}
}

// TestNoSecretInAnyFormat: the token, the environment secret and the S3
// keys of the fixtures never reach any output, while the finding that
// names them does, with the token's prefix and length.
func TestNoSecretInAnyFormat(t *testing.T) {
	t.Parallel()
	secrets := []string{"Xq7bZ2mN9pL4kR8sT1vW", "hunter2-hunter2"}
	r := lintFixture(t, "testdata/formats/insecure.toml", Options{})
	for _, format := range Formats {
		out := string(render(t, r, format))
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s output contains the secret %q", format, s)
			}
		}
		if format != FormatCodeQuality && !strings.Contains(out, "glrt-… (25 chars)") {
			t.Errorf("%s output does not describe the token by prefix and length:\n%s", format, out)
		}
		if !strings.Contains(out, "JR010") || !strings.Contains(out, "JR060") {
			t.Errorf("%s output lost the findings about the secrets", format)
		}
	}
}

// TestSARIFSchema validates the SARIF output of every fixture against the
// vendored SARIF 2.1.0 schema, and checks what code-scanning needs beyond
// the schema: rule metadata and line-independent fingerprints.
func TestSARIFSchema(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t, "testdata/sarif/sarif-schema-2.1.0.json")
	for _, name := range formatFixtures {
		r := lintFixture(t, "testdata/formats/"+name+".toml", Options{})
		out := render(t, r, FormatSARIF)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: SARIF output is not valid SARIF 2.1.0: %v", name, err)
		}
		var log sarifLog
		if err := json.Unmarshal(out, &log); err != nil {
			t.Fatal(err)
		}
		if got := len(log.Runs[0].Tool.Driver.Rules); got != len(Rules()) {
			t.Errorf("%s: %d rules in the driver, want %d", name, got, len(Rules()))
		}
		for _, res := range log.Runs[0].Results {
			if res.PartialFingerprints["jobrun/v1"] == "" || log.Runs[0].Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
				t.Errorf("%s: result %s lacks a fingerprint or points at the wrong rule", name, res.RuleID)
			}
		}
	}
	// A schema violation must be caught: the check can fail.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{}}]}`))
	if schema.Validate(bad) == nil {
		t.Error("the schema accepted a run without a driver")
	}
}

// TestFingerprintsStableUnderLineShifts: inserting lines above a finding
// changes its line but not its SARIF partial fingerprint.
func TestFingerprintsStableUnderLineShifts(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/formats/insecure.toml")
	if err != nil {
		t.Fatal(err)
	}
	shifted := append([]byte("# one\n# two\n\n"), data...)
	a, err := LintData("config.toml", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := LintData("config.toml", shifted, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fa, fb := a.Files[0].Findings, b.Files[0].Findings
	if len(fa) != len(fb) || len(fa) == 0 {
		t.Fatalf("%d findings before the shift, %d after", len(fa), len(fb))
	}
	seen := map[string]bool{}
	for i := range fa {
		if fa[i].Pos.Line+3 != fb[i].Pos.Line {
			t.Errorf("%s: line %d → %d, want a shift of 3", fa[i].Code, fa[i].Pos.Line, fb[i].Pos.Line)
		}
		pa, pb := partialFingerprint(fa[i]), partialFingerprint(fb[i])
		if pa != pb {
			t.Errorf("%s: fingerprint changed with the line", fa[i].Code)
		}
		if seen[pa] {
			t.Errorf("%s: fingerprint %s is not unique in the file", fa[i].Code, pa)
		}
		seen[pa] = true
	}
}

// TestCodeQualityRequiredFields checks every issue has the fields GitLab
// needs to show it in a merge request.
func TestCodeQualityRequiredFields(t *testing.T) {
	t.Parallel()
	r := lintFixture(t, "testdata/formats/insecure.toml", Options{})
	var issues []map[string]any
	if err := json.Unmarshal(render(t, r, FormatCodeQuality), &issues); err != nil {
		t.Fatal(err)
	}
	if len(issues) == 0 {
		t.Fatal("no issues")
	}
	severities := map[string]bool{"info": true, "minor": true, "major": true, "critical": true, "blocker": true}
	for i, is := range issues {
		for _, field := range []string{"description", "check_name", "fingerprint", "severity"} {
			if s, _ := is[field].(string); s == "" {
				t.Errorf("issue %d: %s missing or empty", i, field)
			}
		}
		if !severities[is["severity"].(string)] {
			t.Errorf("issue %d: severity %v is not a Code Quality severity", i, is["severity"])
		}
		loc, _ := is["location"].(map[string]any)
		lines, _ := loc["lines"].(map[string]any)
		if p, _ := loc["path"].(string); p == "" {
			t.Errorf("issue %d: location.path missing", i)
		}
		if b, _ := lines["begin"].(float64); b < 1 {
			t.Errorf("issue %d: location.lines.begin missing or < 1", i)
		}
	}
}

// compileSchema loads a JSON schema file.
func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(filepath.Base(path), doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestJSONSchema validates --format json against the published v1 schema
// (docs/lint-config-v1.schema.json).
func TestJSONSchema(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t, filepath.Join("..", "..", "docs", "lint-config-v1.schema.json"))
	for _, name := range formatFixtures {
		r := lintFixture(t, "testdata/formats/"+name+".toml", Options{})
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(render(t, r, FormatJSON)))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: json output does not match the v1 schema: %v", name, err)
		}
	}
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"jobrun.lint-config/v2","tool":{"name":"jobrun"},"files":[],"findings":[],"summary":{"total":0,"by_severity":{"info":0,"low":0,"medium":0,"high":0},"suppressed":0}}`))
	if schema.Validate(bad) == nil {
		t.Error("the schema accepted another version")
	}
}
