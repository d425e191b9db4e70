package pipeline

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jobrun/jobrun/internal/job"
)

// Options say what to compile and with which outside facts.
type Options struct {
	// Dir is the project directory: local includes, rules:exists and the
	// git repository are read there.
	Dir string
	// File is the pipeline file, relative to Dir unless absolute
	// (default .gitlab-ci.yml).
	File string
	// Git is the repository's state, or nil when there is none (see ReadGit).
	Git *GitFacts
	// Tag chooses one of the tags at HEAD: a tag pipeline (CI_COMMIT_TAG
	// set, CI_COMMIT_BRANCH unset).
	Tag string
	// FileVars come from a variables file, CLIVars from --var and --secret,
	// in that order of precedence (CLIVars win).
	FileVars job.Variables
	CLIVars  job.Variables
	// Remote fetches `include: remote`.
	Remote Remote
	// Now is the pipeline's creation time (time.Now when zero).
	Now time.Time
}

// Remote is how remote includes are fetched: HTTPS GET through Client,
// cached in CacheDir; Offline uses only the cache.
type Remote struct {
	Client   *http.Client
	CacheDir string
	Offline  bool
}

// compiler holds the state the steps pass along.
type compiler struct {
	ctx      context.Context
	opts     Options
	mainFile string // path shown in messages
	root     *Node
	// predefined are the pipeline-level predefined variables.
	predefined job.Variables
	globals    []yamlVariable
	// workflowVars come from the matching workflow:rules rule.
	workflowVars []yamlVariable
	stages       []string
	defaults     *Node
	fileList     *[]string
	plan         *Plan
	specs        []*jobSpec
	notes        map[string]bool
	exprs        map[*Node]*Expr
	changed      map[string][]string
	// stopped is set when workflow:rules create no pipeline.
	stopped bool
	git     *job.GitInfo
	// depth is 0 for the pipeline, 1 and up for child pipelines.
	depth int
}

// step is one stage of compilation.
type step struct {
	name string
	run  func(*compiler) error
}

func (s step) String() string        { return s.name }
func (s step) Run(c *compiler) error { return s.run(c) }

// compileSteps is the compiler, in order. Preview stops after
// "references". (A function, because child pipelines compile with it.)
func compileSteps() []step {
	return []step{
		// Read the main file into a node tree (anchors, merge keys and
		// duplicate keys resolved).
		{"load", (*compiler).load},
		// Derive the pipeline's predefined variables from the repository;
		// include rules need them.
		{"predefined", (*compiler).predefinedVars},
		// Merge local and remote includes, main file last.
		{"includes", (*compiler).includes},
		// Resolve `extends:` with GitLab's deep merge.
		{"extends", (*compiler).extends},
		// Replace `!reference [job, key]` tags.
		{"references", (*compiler).references},
		// Read stages, global variables, default: and the legacy top-level
		// defaults.
		{"defaults", (*compiler).globalKeywords},
		// Gate the pipeline with workflow:rules.
		{"workflow", (*compiler).workflow},
		// Build every visible job: defaults, parallel, rules, payload.
		{"jobs", (*compiler).buildJobs},
		// Resolve needs and dependencies, check the DAG for cycles.
		{"needs", (*compiler).resolveNeeds},
		// Sort jobs by stage.
		{"order", (*compiler).order},
	}
}

// Compile compiles the pipeline into a Plan. Bad input is an *Error.
func Compile(ctx context.Context, opts Options) (*Plan, error) {
	c := newCompiler(ctx, opts)
	for _, s := range compileSteps() {
		if err := s.Run(c); err != nil {
			return nil, c.scrub(err)
		}
		if c.stopped {
			break
		}
	}
	return c.plan, nil
}

// Preview returns the fully expanded configuration as YAML: includes,
// extends, anchors and !reference resolved.
func Preview(ctx context.Context, opts Options) ([]byte, error) {
	c := newCompiler(ctx, opts)
	for _, s := range compileSteps() {
		if err := s.Run(c); err != nil {
			return nil, c.scrub(err)
		}
		if s.name == "references" {
			break
		}
	}
	return c.preview()
}

// scrub removes secret values from an error message: a secret expanded
// into an include path must not reach the terminal through an error.
func (c *compiler) scrub(err error) error {
	perr, ok := err.(*Error)
	if !ok {
		return err
	}
	msg := perr.Msg
	for _, vs := range []job.Variables{c.opts.FileVars, c.opts.CLIVars} {
		for _, secret := range vs.MaskedValues() {
			msg = strings.ReplaceAll(msg, secret, "[MASKED]")
		}
	}
	return &Error{Pos: perr.Pos, Msg: msg}
}

func newCompiler(ctx context.Context, opts Options) *compiler {
	if opts.File == "" {
		opts.File = ".gitlab-ci.yml"
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	return &compiler{ctx: ctx, opts: opts, notes: map[string]bool{}}
}

func (c *compiler) note(s string) {
	if !c.notes[s] {
		c.notes[s] = true
		c.plan.Notes = append(c.plan.Notes, s)
	}
}

func (c *compiler) load() error {
	path := c.opts.File
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.opts.Dir, path)
	}
	c.mainFile = c.opts.File
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{Pos: Pos{File: c.mainFile}, Msg: "cannot read the pipeline file: " + errText(err)}
	}
	c.plan = &Plan{}
	f, err := c.parse(c.mainFile, data)
	if err != nil {
		return err
	}
	// Pipeline inputs take their defaults: a local run has no form to fill.
	c.root, err = applyInputs(f, nil, f.node)
	return err
}

// parse parses a pipeline file and notes its repeated keys.
func (c *compiler) parse(name string, data []byte) (*parsedFile, error) {
	f, err := parseFile(name, data)
	if err != nil {
		return nil, err
	}
	for _, d := range f.dups {
		c.note(d)
	}
	return f, nil
}

// errText is an OS error without the path, which the message names already.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
