package jobapi

import "testing"

func TestTokenRegistry(t *testing.T) {
	t.Parallel()
	r := newTokenRegistry()
	a, b := newToken(t), newToken(t)
	if err := r.register(a, JobInfo{JobID: 1}); err != nil {
		t.Fatal(err)
	}
	if err := r.register(b, JobInfo{JobID: 2}); err != nil {
		t.Fatal(err)
	}
	if err := r.register(a, JobInfo{JobID: 3}); err == nil {
		t.Error("registering a token twice succeeded")
	}
	for _, weak := range []string{"", "glcbt-123456789"} {
		if err := r.register(weak, JobInfo{JobID: 4}); err == nil {
			t.Errorf("registering the %d-character token %q succeeded", len(weak), weak)
		}
	}
	tests := []struct {
		token  string
		wantID int64
	}{{a, 1}, {b, 2}, {a[:len(a)-1], 0}, {a + "x", 0}, {"", 0}}
	for _, tt := range tests {
		job, ok := r.lookup(tt.token)
		if ok != (tt.wantID != 0) || job.JobID != tt.wantID {
			t.Errorf("lookup(%.10s…) = %d, %v; want %d", tt.token, job.JobID, ok, tt.wantID)
		}
	}
	r.revoke(a)
	if _, ok := r.lookup(a); ok {
		t.Error("a revoked token still authenticates")
	}
	if job, ok := r.lookup(b); !ok || job.JobID != 2 {
		t.Error("revoking one token affected another")
	}
}
