package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/registry"

	"github.com/jobrun/jobrun/internal/job"
)

func TestRegistryAuth(t *testing.T) {
	t.Parallel()
	gitlab := job.Credential{Type: "registry", URL: "registry.example.com:5050", Username: "gitlab-ci-token", Password: "glcbt-tok"}
	hub := job.Credential{Type: "registry", URL: "https://index.docker.io/v1/", Username: "u", Password: "hub-pw"}
	other := job.Credential{Type: "other", URL: "registry.example.com:5050", Username: "x", Password: "nope"}
	tests := []struct {
		image    string
		creds    []job.Credential
		wantUser string
	}{
		{"registry.example.com:5050/group/app:1", []job.Credential{other, gitlab}, "gitlab-ci-token"},
		{"registry.example.com/group/app:1", []job.Credential{gitlab}, ""}, // another port is another registry
		{"postgres:15", []job.Credential{gitlab, hub}, "u"},
		{"docker.io/library/alpine", []job.Credential{hub}, "u"},
		{"elsewhere.test/app", []job.Credential{gitlab, hub}, ""},
		{"UPPER/not valid", []job.Credential{gitlab}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			t.Parallel()
			got := registryAuth(tt.image, tt.creds)
			if tt.wantUser == "" {
				if got != "" {
					t.Errorf("auth %q, want none", got)
				}
				return
			}
			raw, err := base64.URLEncoding.DecodeString(got)
			if err != nil {
				t.Fatal(err)
			}
			var ac registry.AuthConfig
			if err := json.Unmarshal(raw, &ac); err != nil {
				t.Fatal(err)
			}
			if ac.Username != tt.wantUser {
				t.Errorf("username %q, want %q", ac.Username, tt.wantUser)
			}
		})
	}
}

// fakeRegistry is a registry on loopback that demands basic auth and
// has no images: enough to see what the engine sends it.
type fakeRegistry struct {
	mu    sync.Mutex
	auths []string
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.auths = append(f.auths, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	if r.Header.Get("Authorization") == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="jobrun-test"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.URL.Path == "/v2/" {
		_, _ = w.Write([]byte("{}"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`))
}

// Pulling with policy always logs in to the image's registry with the
// job's credentials (the token in an API header, never on a command
// line), and a failed pull's message does not show the token.
func TestPullUsesJobCredentials(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullAlways})
	reg := &fakeRegistry{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(reg)
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	host := ln.Addr().String()
	const token = "glcbt-pull-token-0123456789abcdef"
	spec := jobSpec(t.TempDir(), job.Image{Name: host + "/group/tool:1"})
	spec.Payload.Credentials = []job.Credential{{Type: "registry", URL: host, Username: "gitlab-ci-token", Password: token}}
	_, err = d.Prepare(context.Background(), spec)
	if err == nil {
		t.Fatal("Prepare pulled an image from a registry that has none")
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the error shows the token: %v", err)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("gitlab-ci-token:"+token))
	reg.mu.Lock()
	defer reg.mu.Unlock()
	found := false
	for _, a := range reg.auths {
		found = found || a == want
	}
	if !found {
		t.Errorf("the registry never saw the job's credentials; Authorization headers: %q", reg.auths)
	}
	assertNoLeftovers(t, d, spec.Payload.ID)
}
