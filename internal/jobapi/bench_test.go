package jobapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkJobEndpoint measures GET /api/v4/job with a JOB-TOKEN header
// over real HTTP on loopback: token lookup, request log line and JSON
// included. The "static" peer is a bare net/http server answering the
// same JSON with no authentication, to show what the API itself costs.
func BenchmarkJobEndpoint(b *testing.B) {
	srv, err := New(Config{Projects: appProjects(), DataDir: b.TempDir(), RequestLog: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	token := newToken(b)
	if err := srv.Register(token, JobInfo{ProjectID: 1, JobID: 1, JobName: "bench", Stage: "test"}); err != nil {
		b.Fatal(err)
	}
	api := httptest.NewServer(srv)
	defer api.Close()
	body, _ := json.Marshal(srv.jobJSON(JobInfo{ProjectID: 1, JobID: 1}, appProjects()[0]))
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer static.Close()

	for _, bm := range []struct {
		name, url string
	}{{"server=jobapi", api.URL}, {"server=static", static.URL}} {
		b.Run(bm.name, func(b *testing.B) {
			client := api.Client()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodGet, bm.url+"/api/v4/job", nil)
					req.Header.Set("JOB-TOKEN", token)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkServeJob is the handler alone, without the network: the cost
// of routing, authentication, scope and the log line per request.
func BenchmarkServeJob(b *testing.B) {
	srv, err := New(Config{Projects: appProjects(), DataDir: b.TempDir(), RequestLog: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	token := newToken(b)
	if err := srv.Register(token, JobInfo{ProjectID: 1, JobID: 1}); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v4/job", nil)
	req.Header.Set("JOB-TOKEN", token)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
