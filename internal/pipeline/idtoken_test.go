package pipeline

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// id_tokens reach the payload as GitLab sends them: a masked variable per
// token holding a JWT with the job's claims (unsigned, locally).
func TestIDTokensInPayload(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
deploy:
  timeout: 10m
  id_tokens:
    VAULT_ID_TOKEN:
      aud: https://vault.example.com
    MULTI_TOKEN:
      aud: [a, b]
  script: [echo]
`)
	j := jobNamed(t, plan, "deploy")
	claims := map[string]map[string]any{}
	for _, name := range []string{"VAULT_ID_TOKEN", "MULTI_TOKEN"} {
		var found bool
		for _, v := range j.Payload.Variables {
			if v.Key != name {
				continue
			}
			found = true
			if !v.Masked || v.Public {
				t.Errorf("%s: masked=%v public=%v, want a masked, non-public variable", name, v.Masked, v.Public)
			}
			parts := strings.Split(v.Value, ".")
			if len(parts) != 3 || parts[2] != "" {
				t.Fatalf("%s = %q, want an unsigned JWT (header.claims.)", name, v.Value)
			}
			body, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err != nil {
				t.Fatal(err)
			}
			var c map[string]any
			if err := json.Unmarshal(body, &c); err != nil {
				t.Fatal(err)
			}
			claims[name] = c
		}
		if !found {
			t.Errorf("no variable %s in the payload", name)
		}
	}
	c := claims["VAULT_ID_TOKEN"]
	if c["aud"] != "https://vault.example.com" || c["ref"] != "main" || c["ref_type"] != "branch" {
		t.Errorf("claims %v", c)
	}
	if sub, _ := c["sub"].(string); !strings.HasPrefix(sub, "project_path:") || !strings.HasSuffix(sub, ":ref_type:branch:ref:main") {
		t.Errorf("sub = %q", c["sub"])
	}
	if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 600+300 {
		t.Errorf("exp-iat = %v, want the job's timeout plus five minutes", exp-iat)
	}
	if aud, _ := claims["MULTI_TOKEN"]["aud"].([]any); len(aud) != 2 {
		t.Errorf("MULTI_TOKEN aud = %v", claims["MULTI_TOKEN"]["aud"])
	}
	if claims["VAULT_ID_TOKEN"]["jti"] == claims["MULTI_TOKEN"]["jti"] {
		t.Error("two tokens share a jti")
	}
}
