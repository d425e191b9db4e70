package runnermode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

// rendezvous is a script that only succeeds when the other job runs at
// the same time: each leaves its mark and waits for the other's.
func rendezvous(dir, me, other string) []string {
	return []string{
		"touch " + filepath.Join(dir, me),
		"for i in $(seq 1 200); do test -e " + filepath.Join(dir, other) + " && break; sleep 0.05; done",
		"test -e " + filepath.Join(dir, other),
	}
}

// serveUntil serves opts until every job has its final update.
func serveUntil(t *testing.T, opts Options, jobs ...*gitlabfake.Job) Summary {
	t.Helper()
	graceful := make(chan struct{})
	opts.Once, opts.Graceful = false, graceful
	done := make(chan Summary, 1)
	go func() { done <- serve(t, opts) }()
	waitFor(t, "every final update", func() bool {
		for _, j := range jobs {
			if _, ok := j.Final(); !ok {
				return false
			}
		}
		return true
	})
	close(graceful)
	return <-done
}

func noGit(p job.Payload) job.Payload {
	p.Variables = append(p.Variables, job.Variable{Key: "GIT_STRATEGY", Value: "none"})
	return p
}

// concurrent = 2 runs two jobs of one runner at once, each in its own
// working copy.
func TestConcurrentTwoJobs(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	marks := t.TempDir()
	a := fake.Enqueue(noGit(basePayload("", rendezvous(marks, "a", "b")...)))
	b := fake.Enqueue(noGit(basePayload("", rendezvous(marks, "b", "a")...)))
	opts := testOptions(t, shellSpec(t, fake))
	opts.Concurrent = 2
	sum := serveUntil(t, opts, a, b)
	for _, j := range []*gitlabfake.Job{a, b} {
		if final, _ := j.Final(); final.State != "success" {
			t.Errorf("job %d: %+v; trace:\n%s", j.Payload.ID, final, j.Trace())
		}
	}
	if sum.Succeeded != 2 {
		t.Errorf("summary %+v", sum)
	}
	assertClean(t, fake)
}

// Two [[runners]] are served at once, each against its own GitLab; a
// runner's limit = 1 keeps its jobs one after the other even when
// concurrent allows more.
func TestSeveralRunnersAndLimit(t *testing.T) {
	t.Parallel()
	fakeA, fakeB := gitlabfake.New(t, gitlabfake.Options{}), gitlabfake.New(t, gitlabfake.Options{})
	marks := t.TempDir()
	a := fakeA.Enqueue(noGit(basePayload("", rendezvous(marks, "a", "b")...)))
	b := fakeB.Enqueue(noGit(basePayload("", rendezvous(marks, "b", "a")...)))
	order := filepath.Join(t.TempDir(), "order")
	serial := func(name string) job.Payload {
		return noGit(basePayload("", "echo start "+name+" >> "+order, "sleep 0.3", "echo end "+name+" >> "+order))
	}
	b1, b2 := fakeB.Enqueue(serial("1")), fakeB.Enqueue(serial("2"))
	specA, specB := shellSpec(t, fakeA), shellSpec(t, fakeB)
	specA.Name, specB.Name, specB.Limit = "a", "b", 1
	opts := testOptions(t, specA, specB)
	opts.Concurrent = 3
	sum := serveUntil(t, opts, a, b, b1, b2)
	if sum.Succeeded != 4 {
		t.Errorf("summary %+v; traces:\n%s\n%s", sum, a.Trace(), b.Trace())
	}
	got, _ := os.ReadFile(order)
	if lines := strings.Fields(string(got)); len(lines) != 8 || lines[1] != lines[3] || lines[5] != lines[7] {
		t.Errorf("limit = 1 let jobs overlap:\n%s", got)
	}
	assertClean(t, fakeA)
	assertClean(t, fakeB)
}

// The cache is kept on this host per key: a job with policy push saves
// it, a later job with policy pull (in a fresh clone) gets it back, and a
// job with another key does not.
func TestHostLocalCache(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	bare, shas := bareRepo(t, 1)
	fake.AddRepo("acme/app", bare)
	spec := shellSpec(t, fake)
	spec.CacheDir = t.TempDir()
	cached := func(key, policy string, script ...string) job.Payload {
		p := basePayload(shas[0], script...)
		p.Variables = job.Variables{{Key: "GIT_STRATEGY", Value: "clone"}}
		p.Cache = []job.Cache{{Key: key, Paths: []string{"deps/"}, Policy: policy, When: "on_success"}}
		return p
	}
	push := fake.Enqueue(cached("deps-v1", job.CachePush, "mkdir -p deps && echo fetched > deps/lib.txt"))
	pull := fake.Enqueue(cached("deps-v1", job.CachePull, "cat deps/lib.txt"))
	other := fake.Enqueue(cached("deps-v2", job.CachePull, "test ! -e deps/lib.txt && echo no cache for v2"))
	for _, fj := range []*gitlabfake.Job{push, pull, other} {
		if sum := serve(t, testOptions(t, spec)); !sum.Success() {
			t.Fatalf("job %d: %+v; trace:\n%s", fj.Payload.ID, sum, fj.Trace())
		}
	}
	if !strings.Contains(string(pull.Trace()), "\nfetched\n") {
		t.Errorf("pull job did not get the cache:\n%s", pull.Trace())
	}
	if !strings.Contains(string(other.Trace()), "\nno cache for v2\n") {
		t.Errorf("another key got the cache:\n%s", other.Trace())
	}
	assertClean(t, fake)
}
