package runner

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// environment is the whole environment of a job's shell: the base
// environment, then the job's variables (file-type ones as the path of
// their file), then the variables the runner itself owns. A later value
// of a key replaces an earlier one, because a shell given the same key
// twice would read the first.
func environment(base []string, p *job.Payload, dir string, files map[string]string, extra ...string) []string {
	keys := []string{}
	values := map[string]string{}
	set := func(k, v string) {
		if _, ok := values[k]; !ok {
			keys = append(keys, k)
		}
		values[k] = v
	}
	for _, kv := range base {
		if k, v, ok := strings.Cut(kv, "="); ok {
			set(k, v)
		}
	}
	expandable := map[string]bool{} // job variables GitLab Runner expands
	raw := map[string]bool{}
	for _, v := range p.Variables {
		if path, ok := files[v.Key]; ok && v.File {
			set(v.Key, path)
			delete(expandable, v.Key)
			continue
		}
		set(v.Key, v.Value)
		expandable[v.Key] = !v.Raw
		raw[v.Key] = v.Raw
	}
	// What the runner owns replaces the job's value, and is not expanded.
	own := func(k, v string) {
		set(k, v)
		delete(expandable, k)
	}
	own("CI_PROJECT_DIR", dir)
	own("CI_BUILDS_DIR", filepath.Dir(dir))
	own("CI_SERVER", "yes")
	own("CI_JOB_TIMEOUT", strconv.Itoa(int(jobTimeout(p).Seconds())))
	own("CI_JOB_STATUS", "running") // after_script gets the job's result
	own("CI_RUNNER_EXECUTABLE_ARCH", runtimeArch())
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		own(k, v)
	}
	// Variables refer to each other and to what the runner sets
	// (GOPATH: $CI_PROJECT_DIR/.go), so expand once everything is set.
	e := &expander{values: values, raw: raw}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		v := values[k]
		if expandable[k] {
			v = e.expand(v, 0)
		}
		out = append(out, k+"="+v)
	}
	return out
}

// fileVariables are the job's file-type variables; the executor writes
// them to private files.
func fileVariables(p *job.Payload) map[string]string {
	out := map[string]string{}
	for _, v := range p.Variables {
		if v.File {
			out[v.Key] = v.Value
		}
	}
	return out
}

// HostEnv is the part of this process's environment a shell job starts
// from: what programs need to work (PATH, HOME, locale, terminal), not
// whatever else the user's session holds.
func HostEnv() []string {
	var out []string
	for _, k := range []string{"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// withVar returns a copy of env with key set to value, replacing the
// earlier value in place.
func withVar(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

func runtimeArch() string { return runtime.GOOS + "/" + runtime.GOARCH }
