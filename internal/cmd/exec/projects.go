package exec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/jobapi"
)

// decodeProjects reads jobrun.yaml's exec.projects (as the config layer
// returns it: a list of maps) into the job API's projects. Unknown keys
// are refused, so that a misspelt `job_token_scop:` does not silently
// leave the secure default in place. Relative dirs are taken from base
// (the project directory). Errors are bad input (exit 2) and name the
// entry.
func decodeProjects(raw any, base string) ([]jobapi.Project, error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, cmdutil.BadInput("jobrun.yaml: exec.projects: expected a list of projects (id, path, dir, visibility, job_token_scope)")
	}
	projects := make([]jobapi.Project, 0, len(list))
	for i, entry := range list {
		p, err := decodeProject(entry)
		if err != nil {
			return nil, cmdutil.BadInput("jobrun.yaml: exec.projects[%d]: %v", i, err)
		}
		if p.Dir == "" {
			return nil, cmdutil.BadInput("jobrun.yaml: exec.projects[%d] (%s): dir: expected the project's directory on disk", i, p.FullPath)
		}
		if !filepath.IsAbs(p.Dir) {
			p.Dir = filepath.Join(base, p.Dir)
		}
		projects = append(projects, p)
	}
	return projects, nil
}

// decodeProject goes through YAML rather than a map walk: the struct tags
// of jobapi.Project already spell jobrun.yaml's keys.
func decodeProject(entry any) (jobapi.Project, error) {
	if _, ok := entry.(map[string]any); !ok {
		return jobapi.Project{}, errors.New("expected a map with id, path, dir, visibility and job_token_scope")
	}
	b, err := yaml.Marshal(entry)
	if err != nil {
		return jobapi.Project{}, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var p jobapi.Project
	if err := dec.Decode(&p); err != nil && !errors.Is(err, io.EOF) {
		return jobapi.Project{}, fmt.Errorf("%s", yamlMessage(err))
	}
	return p, nil
}

// yamlMessage drops the line numbers of the re-encoded entry, which
// point into jobrun's own copy rather than the user's file.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return err.Error()
	}
	msg := te.Errors[0]
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
		return rest
	}
	return msg
}
