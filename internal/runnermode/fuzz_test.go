package runnermode

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/job"
)

// FuzzJobDir: whatever project path GitLab sends, a job's directory is
// inside its runner's slot below builds_dir, or it is refused.
func FuzzJobDir(f *testing.F) {
	for _, seed := range []string{"acme/app", "group/sub/project", "../../etc", "a/../../b", "/abs/path", "", ".", "a\x00b", "..", "ok/..hidden"} {
		f.Add(seed, "glrt-abcdefghijkl", 1)
	}
	f.Fuzz(func(t *testing.T, project, token string, slot int) {
		spec := RunnerSpec{BuildsDir: "/builds", Token: token}
		dir, err := spec.jobDir(slot, &job.Payload{JobInfo: job.JobInfo{ProjectFullPath: project, ProjectID: 7}})
		if err != nil {
			return
		}
		base := filepath.Join("/builds", spec.dirName())
		if !strings.HasPrefix(dir, base+string(filepath.Separator)) || strings.Contains(dir, "..") && filepath.Clean(dir) != dir {
			t.Fatalf("project %q token %q: directory %q escapes %q", project, token, dir, base)
		}
		if spec.dirName() == "" || strings.ContainsAny(spec.dirName(), "/\x00") || spec.dirName() == ".." {
			t.Fatalf("token %q: runner directory name %q", token, spec.dirName())
		}
	})
}
