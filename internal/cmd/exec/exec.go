// Package exec is the `jobrun exec` command: it compiles the local
// .gitlab-ci.yml and lists (--list, --list --json) or previews
// (--preview) the pipeline. Running the jobs is wired in by the runner
// integration (run.go): jobs run with the shell or Docker executor through
// runner.RunLocal, and the exit code says how the pipeline ended.
package exec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/masker"
	"github.com/jobrun/jobrun/internal/pipeline"
)

// Options are exec's flags and arguments.
type Options struct {
	IO        *iostreams.IOStreams
	Verbose   bool
	LookupEnv func(string) (string, bool)
	// HTTPClient fetches remote includes (nil: a client with a timeout).
	HTTPClient *http.Client
	// CacheDir holds remote includes (empty: the user cache dir).
	CacheDir string

	Jobs     []string
	File     string
	Dir      string
	Executor string
	Vars     []string
	Secrets  []string
	// SecretValuesInArgs is set when a --secret KEY=VALUE came on the
	// command line itself, where other users can read it.
	SecretValuesInArgs bool
	VariablesFile      string
	List               bool
	JSON               bool
	Needs              bool
	Timestamps         bool
	Preview            bool
	Offline            bool
	Tag                string
	// Version is jobrun's, printed in each job's first trace line.
	Version string

	// Running jobs.
	Concurrency int
	TTY         bool
	InPlace     bool
	// Docker executor.
	Privileged bool
	Volumes    []string
	Network    string
	DockerHost string
	PullPolicy string
	// Local job-token API (api.go).
	NoAPI bool
	// ProjectsConfig is jobrun.yaml's exec.projects (a list of maps),
	// decoded into jobapi projects by the run.
	ProjectsConfig any
}

// NewCmdExec returns `jobrun exec`; runF replaces run in tests.
func NewCmdExec(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, LookupEnv: f.LookupEnv, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "exec [JOB ...]",
		Short: "Run the jobs of a local .gitlab-ci.yml (--list and --preview show the plan)",
		Long: `Compile the local .gitlab-ci.yml as GitLab does (include, extends,
!reference, rules, needs, parallel) and run its jobs, or only show them.

  --list            the jobs that would run, in order: stage, name, when, needs
  --list --json     one JSON document with every job's payload (secrets redacted)
  --preview         the fully expanded pipeline as YAML`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Jobs = args
			opts.Verbose = f.Verbose
			opts.SecretValuesInArgs = cmd.Flags().Changed("secret") && secretValueGiven(opts.Secrets)
			if f.Config != nil {
				opts.ProjectsConfig = f.Config.Sub("exec.projects")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", ".gitlab-ci.yml", "pipeline file, relative to --directory")
	fl.StringVarP(&opts.Dir, "directory", "C", ".", "project directory")
	fl.StringVar(&opts.Executor, "executor", "auto", "auto|shell|docker (auto: jobs with image: use docker)")
	fl.StringArrayVar(&opts.Vars, "var", nil, "extra variable KEY=VALUE (repeatable)")
	fl.StringArrayVar(&opts.Secrets, "secret", nil, "extra masked variable KEY=VALUE, or KEY to read it from the environment (repeatable)")
	fl.StringVar(&opts.VariablesFile, "variables-file", "", "variables file with masked / file flags (also reads "+pipeline.LocalVariablesFile+")")
	fl.BoolVar(&opts.List, "list", false, "print the jobs that would run, run nothing")
	fl.BoolVar(&opts.JSON, "json", false, "with --list: one JSON document with each job's payload")
	fl.BoolVar(&opts.Needs, "needs", false, "also run the jobs that the named jobs need")
	fl.BoolVar(&opts.Timestamps, "timestamps", false, "prefix log lines with timestamps")
	fl.BoolVar(&opts.Preview, "preview", false, "print the fully expanded pipeline as YAML, run nothing")
	fl.BoolVar(&opts.Offline, "offline", false, "use only cached remote includes")
	fl.StringVar(&opts.Tag, "tag", "", "run a tag pipeline for this tag at HEAD (sets CI_COMMIT_TAG, unsets CI_COMMIT_BRANCH)")
	fl.IntVar(&opts.Concurrency, "concurrency", 0, "jobs run at once (default: the number of CPUs)")
	fl.BoolVar(&opts.TTY, "tty", false, "run scripts under a pseudo-terminal even when stdout is not one")
	fl.BoolVar(&opts.InPlace, "in-place", false, "run jobs in the project directory instead of a copy under .jobrun/builds/")
	fl.BoolVar(&opts.Privileged, "privileged", false, "run containers privileged (DANGEROUS: gives jobs root on this host)")
	fl.StringArrayVar(&opts.Volumes, "volume", nil, "extra container mount HOST:CONTAINER[:ro|rw] or /path (repeatable)")
	fl.StringVar(&opts.Network, "network", "", "container network: host, none or an existing network (default: per job)")
	fl.StringVar(&opts.DockerHost, "docker-host", "", "Docker engine address (default: DOCKER_HOST, else the local socket)")
	fl.StringVar(&opts.PullPolicy, "pull-policy", "", "image pull policy: always, if-not-present (default) or never")
	fl.BoolVar(&opts.NoAPI, "no-api", false, "do not serve the local job-token API (CI_SERVER_URL, CI_API_V4_URL) to the jobs")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	if err := validate(opts); err != nil {
		return err
	}
	if opts.SecretValuesInArgs {
		fmt.Fprintln(opts.IO.ErrOut, SecretInArgsWarning)
	}
	popts, err := compileOptions(ctx, opts)
	if err != nil {
		return err
	}
	if opts.Preview {
		out, err := pipeline.Preview(ctx, popts)
		if err != nil {
			return badInput(err)
		}
		_, err = opts.IO.Out.Write(out)
		return err
	}
	plan, err := pipeline.Compile(ctx, popts)
	if err != nil {
		return badInput(err)
	}
	if plan, err = plan.Select(opts.Jobs, opts.Needs); err != nil {
		return cmdutil.AsBadInput(err)
	}
	if !opts.List {
		return runJobs(ctx, opts, plan)
	}
	if opts.JSON {
		return pipeline.WriteJSON(opts.IO.Out, plan)
	}
	return pipeline.WriteList(opts.IO.Out, plan, opts.Verbose)
}

// SecretInArgsWarning is printed when --secret KEY=VALUE was typed on the
// command line: the value is then in the process list for every user.
const SecretInArgsWarning = "jobrun: warning: --secret KEY=VALUE puts the value in the process list, where other users can read it; prefer --secret KEY (read from the environment) or --variables-file"

func secretValueGiven(secrets []string) bool {
	for _, s := range secrets {
		if strings.Contains(s, "=") {
			return true
		}
	}
	return false
}

func validate(opts *Options) error {
	switch {
	case opts.JSON && !opts.List:
		return cmdutil.BadInput("--json needs --list")
	case opts.List && opts.Preview:
		return cmdutil.BadInput("--list and --preview cannot be combined")
	case opts.Executor != "auto" && opts.Executor != "shell" && opts.Executor != "docker":
		return cmdutil.BadInput("--executor %q: expected auto, shell or docker", opts.Executor)
	case opts.Concurrency < 0:
		return cmdutil.BadInput("--concurrency %d: expected a positive number of jobs", opts.Concurrency)
	}
	return nil
}

// compileOptions gathers what the compiler needs: variables from the
// files and the command line, the repository, the include cache.
func compileOptions(ctx context.Context, opts *Options) (pipeline.Options, error) {
	cli, err := pipeline.CLIVariables(opts.Vars, opts.Secrets, opts.LookupEnv)
	if err != nil {
		return pipeline.Options{}, cmdutil.AsBadInput(err)
	}
	fileVars, err := readVariableFiles(opts)
	if err != nil {
		return pipeline.Options{}, err
	}
	if err := checkSecretLengths(append(fileVars, cli...)); err != nil {
		return pipeline.Options{}, err
	}
	git, err := pipeline.ReadGit(ctx, opts.Dir)
	if err != nil {
		return pipeline.Options{}, err
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	cacheDir := opts.CacheDir
	if cacheDir == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cacheDir = filepath.Join(dir, "jobrun", "includes")
		}
	}
	return pipeline.Options{
		Dir: opts.Dir, File: opts.File, Git: git, Tag: opts.Tag, FileVars: fileVars, CLIVars: cli,
		Remote: pipeline.Remote{Client: client, CacheDir: cacheDir, Offline: opts.Offline},
	}, nil
}

// readVariableFiles reads the project's .gitlab-ci-local-variables.yml
// when present, then --variables-file, which wins.
func readVariableFiles(opts *Options) (job.Variables, error) {
	var out job.Variables
	paths := []string{}
	if local := filepath.Join(opts.Dir, pipeline.LocalVariablesFile); fileExists(local) {
		paths = append(paths, local)
	}
	if opts.VariablesFile != "" {
		paths = append(paths, opts.VariablesFile)
	}
	for _, p := range paths {
		vs, err := pipeline.ReadVariablesFile(p)
		if err != nil {
			return nil, badInput(err)
		}
		for _, v := range vs {
			out.Set(v)
		}
	}
	return out, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// badInput marks the compiler's *pipeline.Error as bad input (exit 2).
func badInput(err error) error {
	var perr *pipeline.Error
	if errors.As(err, &perr) {
		return cmdutil.AsBadInput(err)
	}
	return fmt.Errorf("exec: %w", err)
}

// checkSecretLengths refuses masked values shorter than the masker's
// minimum: masking a 3-letter word would reveal it everywhere it occurs
// and could not hide the value itself. The message names the variable,
// never its value.
func checkSecretLengths(vars job.Variables) error {
	for _, v := range vars {
		if v.Masked && len(v.Value) < masker.DefaultMinLength {
			return cmdutil.BadInput("masked variable %s is %d characters long; masked values need at least %d "+
				"(a shorter one cannot be masked safely)", v.Key, len(v.Value), masker.DefaultMinLength)
		}
	}
	return nil
}
