package docker

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// serviceImage is busybox tagged under a registry-style name, so that
// GitLab's alias rules have something to chew on.
const serviceImage = "jobrun-test/postgres:15"

func tagServiceImage(t *testing.T, d *Docker) {
	t.Helper()
	if _, err := d.api.ImageTag(context.Background(), client.ImageTagOptions{Source: busyboxImage, Target: serviceImage}); err != nil {
		unavailable(t, "tagging %s as %s: %v", busyboxImage, serviceImage, err)
	}
}

// httpService answers "pong" over HTTP on port 5432, naming the job
// variables it sees.
func httpService(alias string) job.Service {
	return job.Service{
		Name: serviceImage, Alias: alias,
		Entrypoint: []string{"sh", "-c"},
		Command:    []string{`mkdir -p /www && echo "pong from $ROLE${GREETING:+ and $GREETING}${API_KEY:+ and $API_KEY}" > /www/index.html && exec httpd -f -p 5432 -h /www`},
		Ports:      []job.Port{{Number: 5432}},
		Variables:  job.Variables{{Key: "ROLE", Value: "db"}},
	}
}

func TestServiceReachableByAlias(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	tagServiceImage(t, d)
	s := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}, httpService("db, primary")))
	for _, host := range []string{"jobrun-test__postgres", "jobrun-test-postgres", "db", "primary"} {
		t.Run(host, func(t *testing.T) {
			var out bytes.Buffer
			cmd := "wget -qO- http://" + host + ":5432/"
			code, err := s.Run(context.Background(), executor.Script{Commands: []string{cmd}, Output: &out})
			if err != nil || code != 0 {
				t.Fatalf("Run = %d, %v; output %q", code, err, out.String())
			}
			if want := green("$ "+cmd) + "pong from db\n"; out.String() != want {
				t.Errorf("output %q, want %q", out.String(), want)
			}
		})
	}
}

// A service that dies is not fatal: the job log gets a warning with its
// log, before the first script's output, in the order of the services.
func TestServiceFailureShowsItsLog(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever, ServiceTimeout: 2 * time.Second})
	tagServiceImage(t, d)
	broken := job.Service{
		Name: serviceImage, Entrypoint: []string{"sh", "-c"},
		Command: []string{"echo 'FATAL: database files are incompatible'; exit 1"},
		Ports:   []job.Port{{Number: 5432}},
	}
	second := broken
	second.Alias = "second"
	second.Command = []string{"echo 'FATAL: second service down'; exit 1"}
	s := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}, broken, second))
	var out bytes.Buffer
	code, err := s.Run(context.Background(), executor.Script{Commands: []string{"echo script"}, Output: &out})
	if err != nil || code != 0 {
		t.Fatalf("Run = %d, %v", code, err)
	}
	got := out.String()
	for _, want := range []string{
		"WARNING: service jobrun-test/postgres:15 (jobrun-test__postgres, jobrun-test-postgres) probably didn't start properly: the container is not running",
		"FATAL: database files are incompatible\n",
		green("$ echo script") + "script\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	first, other, script := strings.Index(got, "FATAL: database"), strings.Index(got, "FATAL: second"), strings.Index(got, "$ echo script")
	if first < 0 || other < 0 || first > other || other > script {
		t.Errorf("want both services' warnings, in order, before the script's output:\n%s", got)
	}
}

// After a failing script the services' logs follow, once.
func TestServiceLogsAfterFailure(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	tagServiceImage(t, d)
	svc := httpService("")
	svc.Command = []string{`echo "service says hi"; mkdir -p /www && exec httpd -f -p 5432 -h /www`}
	s := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}, svc))
	for i, want := range []bool{true, false} {
		var out bytes.Buffer
		code, err := s.Run(context.Background(), executor.Script{Commands: []string{"exit 2"}, Output: &out})
		if err != nil || code != 2 {
			t.Fatalf("Run = %d, %v", code, err)
		}
		if got := strings.Contains(out.String(), "service says hi\n"); got != want {
			t.Errorf("run %d: service log shown = %v, want %v:\n%s", i, got, want, out.String())
		}
	}
}

// --network NAME puts the job on an existing network instead of a new
// one; services keep their aliases there.
func TestExistingNetwork(t *testing.T) {
	t.Parallel()
	probe := engine(t, Options{})
	tagServiceImage(t, probe)
	name := "jobrun-test-net-" + newSessionID()
	if _, err := probe.api.NetworkCreate(context.Background(), name, client.NetworkCreateOptions{Driver: "bridge"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = probe.api.NetworkRemove(context.Background(), name, client.NetworkRemoveOptions{}) })
	d := engine(t, Options{PullPolicy: PullNever, Network: name})
	s := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}, httpService("db")))
	if s.network != "" {
		t.Errorf("made a network of its own (%s) despite --network", s.network)
	}
	var out bytes.Buffer
	code, err := s.Run(context.Background(), executor.Script{Commands: []string{"wget -qO- http://db:5432/"}, Output: &out})
	if err != nil || code != 0 || !strings.HasSuffix(out.String(), "pong from db\n") {
		t.Errorf("Run = %d, %v: %q", code, err, out.String())
	}
}
