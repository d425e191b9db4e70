// Package pipeline compiles a .gitlab-ci.yml the way GitLab does into a
// Plan: the jobs that would run, each as the job payload GitLab sends a
// runner (job.Payload) plus the scheduling facts GitLab keeps to itself.
//
// # Compilation
//
// Compile runs one ordered list of steps (compile.go, compileSteps):
//
//	load        the main file → a Node tree with file:line:col on every node;
//	            anchors, aliases and merge keys (<<) resolved; a repeated key
//	            keeps its first place and its last value, as GitLab's loader
//	predefined  pipeline-level predefined variables, from the git repository
//	            (GitFacts) when there is one
//	includes    include: local (paths, globs, nested, rules:, spec:inputs
//	            of local components), remote (HTTPS GET, on-disk cache,
//	            Offline); project/template/component/
//	            artifact are an *Error naming the include and how to vendor it.
//	            Included files deep-merge in order; the including file wins
//	extends     multi-level, lists; hashes deep-merge, everything else is
//	            replaced; cycles and missing targets are errors
//	references  !reference [job, key, ...], nested, with cycle detection
//	defaults    stages (.pre first, .post last), global variables, default:
//	            and the legacy top-level image/services/cache/before_script/
//	            after_script
//	workflow    workflow:rules gate the pipeline; name; rule variables
//	jobs        per job: inherit, defaults, parallel (N or matrix, GitLab's
//	            names "job 1/3", "job: [a, b]"), rules: or only/except with
//	            the CI/CD expression language (expr.go), then the payload
//	needs       needs and dependencies resolved to job names; missing jobs,
//	            later stages and cycles are errors
//	order       stable sort by stage; ids 1..n; CI_JOB_ID / CI_JOB_URL
//
// Preview runs the steps up to "references" and prints the result as YAML.
//
// # The Plan
//
// Plan.Jobs is in run order. For each Job:
//
//   - Stage, When (on_success, on_failure, always, manual, delayed),
//     StartIn, Manual, AllowFailure and AllowFailureExitCodes, Retry (max,
//     when, exit_codes), Parallel (index, total, matrix values),
//     Environment, Trigger (a child pipeline of local files is compiled into
//     Trigger.Child; anything else has Local false and a Reason), Tags,
//     Interruptible, ResourceGroup, Coverage, IDTokens and Rule, which says
//     why the job is in the pipeline.
//   - Needs: nil means "follow stage order"; an empty, non-nil slice is
//     `needs: []`. Each Need carries artifacts and optional; needs on other
//     projects or pipelines are kept but cannot be satisfied locally.
//   - Dependencies: the jobs whose artifacts this job downloads (from
//     dependencies:, else needs with artifacts, else all earlier stages).
//   - Payload: the job.Payload a runner receives, without a token:
//     variables in GitLab's precedence (predefined < global < workflow
//     rules < job < parallel:matrix < rules < variables file < command
//     line), steps (before_script + script, then after_script), hooks,
//     image, services, artifacts (archive + one entry per report), cache,
//     dependencies (id + name), and the timeout in RunnerInfo.Timeout.
//
// The runner core mints CI_JOB_TOKEN and what derives from it
// (CI_REGISTRY_PASSWORD, CI_DEPENDENCY_PROXY_PASSWORD, CI_REPOSITORY_URL,
// registry credentials, dependency tokens); the compiler sets every other
// predefined variable it can derive. Variable values are sent as written
// (the runner expands them); `expand: false` becomes `raw: true`. Rules
// and the keywords GitLab expands (image, services, environment, cache
// keys, tags, include paths) see the expanded values.
//
// Secrets (--secret, masked entries of a variables file) are masked and
// not public; Plan.Redacted and WriteJSON replace every non-public value
// with [MASKED] before printing.
//
// # Errors
//
// Bad input is an *Error whose text is "file:line:col: what was wrong;
// what was expected". The compiler never panics on any input (FuzzCompile).
package pipeline
