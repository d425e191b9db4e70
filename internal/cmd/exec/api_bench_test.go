package exec

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jobrun/jobrun/internal/iostreams"
)

// BenchmarkExecAPI is what the local job API costs a run: a two-job
// pipeline whose second job calls GET /job, with the API and (peer)
// with --no-api, where the job skips the call.
func BenchmarkExecAPI(b *testing.B) {
	dir := b.TempDir()
	if err := writeBenchFile(dir); err != nil {
		b.Fatal(err)
	}
	gitInit(b, dir)
	for _, tc := range []struct {
		name  string
		noAPI bool
	}{{"api", false}, {"no-api", true}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				ios, _, _, _ := iostreams.Test()
				opts := &Options{IO: ios, File: ".gitlab-ci.yml", Dir: dir, Executor: "shell", Concurrency: 1,
					Version: "bench", CacheDir: b.TempDir(), NoAPI: tc.noAPI,
					LookupEnv: func(string) (string, bool) { return "", false }}
				if err := run(context.Background(), opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func writeBenchFile(dir string) error {
	return os.WriteFile(filepath.Join(dir, ".gitlab-ci.yml"), []byte(`build:
  script: [echo built]
call:
  # Only against the local API: with --no-api the URL names a real host.
  script: ['if [ "$CI_SERVER_HOST" = 127.0.0.1 ]; then curl -sf -o /dev/null --header "JOB-TOKEN: $CI_JOB_TOKEN" "$CI_API_V4_URL/job"; fi']
`), 0o644)
}
