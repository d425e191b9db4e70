package jobapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTTPS runs curl and git against the server over TLS with a
// self-signed certificate that the clients are told to trust, as exec
// would tell jobs through CI_SERVER_TLS_CA_FILE.
func TestHTTPS(t *testing.T) {
	t.Parallel()
	tlsConfig, caPEM, err := SelfSignedTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	lib := newRepo(t)
	ts := startServer(t, Config{TLS: tlsConfig, Projects: []Project{{ID: 1, FullPath: "group/app", Dir: lib}}})
	token := ts.register(t, 1, 71, "tls")
	if !strings.HasPrefix(ts.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %s", ts.URL())
	}

	res := curl(t, jobTokenHeader(token)+`cacert = "`+caFile+"\"\n", ts.URL()+"/api/v4/job")
	if res.status != 200 || !strings.Contains(string(res.body), `"id":71`) {
		t.Errorf("GET /job over TLS: %d %s", res.status, res.body)
	}
	work := t.TempDir()
	env := append(credentialHelper(token), "GIT_SSL_CAINFO="+caFile)
	if out, err := runGit(t, work, env, "clone", "-q", ts.URL()+"/group/app.git", "app"); err != nil {
		t.Fatalf("clone over TLS: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(work, "app", "README.md")); err != nil {
		t.Error(err)
	}
	// Without the certificate, clients refuse the server.
	if out, err := runGit(t, work, credentialHelper(token), "clone", "-q", ts.URL()+"/group/app.git", "untrusted"); err == nil {
		t.Errorf("clone without the CA succeeded:\n%s", out)
	}
}

func TestSelfSignedTLSNeedsAHost(t *testing.T) {
	t.Parallel()
	if _, _, err := SelfSignedTLS(); err == nil {
		t.Error("a certificate without hosts was made")
	}
}
