package jobapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/jobrun/jobrun/internal/jobapi"
)

// Example shows how exec wires the server: one server per pipeline run,
// a token registered when a job starts and revoked when it ends, and the
// job's environment pointing at the server.
func Example() {
	dataDir, _ := os.MkdirTemp("", "jobrun")
	defer os.RemoveAll(dataDir)
	srv, err := jobapi.New(jobapi.Config{
		Projects: []jobapi.Project{
			{ID: 1, FullPath: "group/app", Dir: "."},
			{ID: 2, FullPath: "group/lib", TokenScope: jobapi.TokenScope{Allowlist: []string{"group/app"}}},
		},
		DataDir:    dataDir,                                                     // exec: .jobrun
		RequestLog: io.Discard,                                                  // exec: .jobrun/logs/<pipeline>/api.log
		Denied:     func(job jobapi.JobInfo, note string) { fmt.Println(note) }, // exec: the job's log
		Trigger: func(_ context.Context, req jobapi.TriggerRequest) (jobapi.Pipeline, error) {
			return jobapi.Pipeline{ID: 2, Status: "success"}, nil // exec: run req.Project's pipeline
		},
	})
	if err != nil {
		panic(err)
	}
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Close()

	token := "glcbt-exampleexampleexample" // exec mints a random one per job
	if err := srv.Register(token, jobapi.JobInfo{ProjectID: 1, JobID: 7, JobName: "build", Stage: "build"}); err != nil {
		panic(err)
	}
	// The job gets CI_JOB_TOKEN=token, CI_SERVER_URL=srv.URL(),
	// CI_API_V4_URL=srv.APIURL() and
	// CI_REPOSITORY_URL=srv.RepositoryURL("group/app", token), and runs:
	status := func() int {
		req, _ := http.NewRequest(http.MethodGet, srv.APIURL()+"/job", nil)
		req.Header.Set("JOB-TOKEN", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println("while the job runs:", status())
	srv.Revoke(token)
	fmt.Println("after it ended:", status())
	// Output:
	// while the job runs: 200
	// after it ended: 401
}
