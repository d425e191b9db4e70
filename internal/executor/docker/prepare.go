package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// fileKey is what a file variable's name may look like; anything else
// could escape the private directory when used as a file name.
var fileKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Prepare implements executor.Executor: it makes the job's images
// available, starts its services and the build container, finds the
// shell and copies the file-type variables in. On any error everything
// already created is removed again.
func (d *Docker) Prepare(ctx context.Context, spec executor.Spec) (executor.Session, error) {
	p := spec.Payload
	if p == nil || strings.TrimSpace(p.Image.Name) == "" {
		return nil, errors.New("the job has no image: the docker executor needs one (or use --executor shell)")
	}
	hostDir, err := filepath.Abs(spec.Dir)
	if err != nil {
		return nil, fmt.Errorf("working directory %q: %w", spec.Dir, err)
	}
	if fi, err := os.Stat(hostDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("working directory %q is not a directory", spec.Dir)
	}
	id := newSessionID()
	s := &session{
		d: d, id: id, jobID: p.ID,
		hostDir: hostDir, givenDir: spec.Dir, projectDir: ProjectDir(p.JobInfo.ProjectFullPath),
		private: "/tmp/jobrun-" + id, files: map[string]string{},
	}
	if u := p.Image.ExecutorOpts.Docker; u != nil {
		s.user = u.User
	}
	if err := s.prepare(ctx, p, spec.Files); err != nil {
		if cerr := s.Cleanup(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return nil, err
	}
	return s, nil
}

func (s *session) prepare(ctx context.Context, p *job.Payload, files []executor.File) error {
	if _, err := s.d.ensureImage(ctx, p.Image, p.Credentials); err != nil {
		return err
	}
	if err := s.setUpNetwork(ctx, len(p.Services) > 0); err != nil {
		return err
	}
	for i, svc := range p.Services {
		if err := s.startService(ctx, i, svc, p); err != nil {
			return err
		}
	}
	binds, err := s.volumeBinds(ctx)
	if err != nil {
		return err
	}
	if err := s.startBuildContainer(ctx, p.Image, binds); err != nil {
		return err
	}
	if err := s.detectShell(ctx); err != nil {
		return err
	}
	if err := s.checkRunning(ctx); err != nil {
		return err
	}
	if err := s.copyFileVariables(ctx, files); err != nil {
		return err
	}
	s.waitForServices(ctx)
	return nil
}

// startBuildContainer creates and starts the container the scripts run
// in. Its main process is a shell reading a stdin that never closes: it
// keeps the container alive, behind the image's entrypoint (or the
// job's override), while each script runs as its own exec. Nothing
// about the job's variables is in its configuration.
func (s *session) startBuildContainer(ctx context.Context, img job.Image, binds []string) error {
	cfg, host := s.buildContainerConfig(img, binds)
	created, err := s.d.api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: cfg, HostConfig: host, Platform: platform(img),
		Name: containerName(s.id, s.jobID, "build"),
	})
	if err != nil {
		return fmt.Errorf("creating the build container from %s: %w", img.Name, err)
	}
	s.container = created.ID
	if _, err := s.d.api.ContainerStart(ctx, s.container, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("starting the build container from %s: %w", img.Name, err)
	}
	return nil
}

// buildContainerConfig is the build container's configuration: the
// image, its entrypoint or the job's override, the idle shell, the
// working copy and volumes, privileges and network.
func (s *session) buildContainerConfig(img job.Image, binds []string) (*container.Config, *container.HostConfig) {
	cfg := &container.Config{
		Image:      img.Name,
		Cmd:        []string{"sh"},
		OpenStdin:  true,
		WorkingDir: s.projectDir,
		User:       s.user,
		Labels:     s.labels("build"),
	}
	if len(img.Entrypoint) > 0 {
		cfg.Entrypoint = img.Entrypoint
	}
	host := &container.HostConfig{
		Binds:       append([]string{s.hostDir + ":" + s.projectDir}, binds...),
		Privileged:  s.d.opts.Privileged,
		NetworkMode: container.NetworkMode(s.networkMode()),
	}
	return cfg, host
}

// checkRunning explains a build container that is no longer running:
// usually an entrypoint that does not run the command it is given.
func (s *session) checkRunning(ctx context.Context) error {
	res, err := s.d.api.ContainerInspect(ctx, s.container, client.ContainerInspectOptions{})
	if err != nil {
		return fmt.Errorf("inspecting the build container: %w", err)
	}
	if st := res.Container.State; st != nil && !st.Running {
		return fmt.Errorf("the build container exited with code %d right after it started: "+
			"the image's entrypoint must end by running its arguments (exec \"$@\"), or override it with image:entrypoint", st.ExitCode)
	}
	return nil
}

// Shell paths looked for in the build container, in GitLab Runner's
// order: bash wherever it usually lives, else sh.
var shellCandidates = []struct{ name, path string }{
	{executor.Bash, "/usr/local/bin/bash"},
	{executor.Bash, "/usr/bin/bash"},
	{executor.Bash, "/bin/bash"},
	{executor.Sh, "/usr/local/bin/sh"},
	{executor.Sh, "/usr/bin/sh"},
	{executor.Sh, "/bin/sh"},
	{executor.Sh, "/busybox/sh"},
}

// detectShell finds the first shell of shellCandidates in the container.
func (s *session) detectShell(ctx context.Context) error {
	for _, c := range shellCandidates {
		if _, err := s.d.api.ContainerStatPath(ctx, s.container, client.ContainerStatPathOptions{Path: c.path}); err == nil {
			s.shell, s.shellPath = c.name, c.path
			return nil
		}
	}
	return errors.New("no shell in the job's image: neither bash nor sh was found")
}

// copyFileVariables writes the file-type variables into the session's
// private directory in the container (0700, files 0600).
func (s *session) copyFileVariables(ctx context.Context, files []executor.File) error {
	if len(files) == 0 {
		return nil
	}
	var entries []tarEntry
	for _, f := range files {
		if !fileKey.MatchString(f.Key) {
			// The key, not the value: the value may be a secret.
			return fmt.Errorf("file variable %q: not a valid variable name", f.Key)
		}
		entries = append(entries, tarEntry{name: f.Key, content: []byte(f.Content)})
		s.files[f.Key] = s.private + "/" + f.Key
	}
	return s.copyIn(ctx, entries)
}

// volumeBinds turns Options.Volumes into bind specs: host paths as
// given, a bare container path as a new labelled volume.
func (s *session) volumeBinds(ctx context.Context) ([]string, error) {
	var binds []string
	for i, v := range s.d.opts.Volumes {
		bind, target, err := parseVolume(v)
		if err != nil {
			return nil, err
		}
		if bind {
			binds = append(binds, v)
			continue
		}
		name := containerName(s.id, s.jobID, "vol-"+strconv.Itoa(i))
		created, err := s.d.api.VolumeCreate(ctx, client.VolumeCreateOptions{Name: name, Labels: s.labels("")})
		if err != nil {
			return nil, fmt.Errorf("creating volume for %s: %w", target, err)
		}
		s.volumes = append(s.volumes, created.Volume.Name)
		binds = append(binds, created.Volume.Name+":"+target)
	}
	return binds, nil
}

// parseVolume checks one --volume: "HOST:CONTAINER[:ro|rw]" (bind) or
// "/path" (a volume of the job's own).
func parseVolume(v string) (bind bool, target string, err error) {
	parts := strings.Split(v, ":")
	bad := fmt.Errorf("volume %q: expected HOST:CONTAINER[:ro|rw] or an absolute /path", v)
	switch len(parts) {
	case 1:
		target = parts[0]
	case 2, 3:
		target = parts[1]
		if parts[0] == "" || (len(parts) == 3 && parts[2] != "ro" && parts[2] != "rw") {
			return false, "", bad
		}
	default:
		return false, "", bad
	}
	if !strings.HasPrefix(target, "/") {
		return false, "", bad
	}
	return len(parts) > 1, target, nil
}
