package runner

import (
	"fmt"
	"io"
	"time"
)

// ANSI sequences of GitLab's job trace.
const (
	ansiClear  = "\x1b[0K"
	ansiReset  = "\x1b[0;m"
	ansiHeader = "\x1b[36;1m"
	ansiGreen  = "\x1b[32;1m"
	ansiRed    = "\x1b[31;1m"
	ansiYellow = "\x1b[0;33m"
)

// Section names GitLab Runner uses for a job's stages.
const (
	SectionPrepareExecutor = "prepare_executor"
	SectionGetSources      = "get_sources"
	SectionAfterScript     = "after_script"
	SectionUploadSuccess   = "upload_artifacts_on_success"
	SectionUploadFailure   = "upload_artifacts_on_failure"
	SectionCleanupFileVars = "cleanup_file_variables"
)

// sectionForStep is the section of a script step: "step_script" for
// before_script + script, "step_release" for release, ...
func sectionForStep(step string) string { return "step_" + step }

// trace writes what jobrun itself says about a job, in GitLab's trace
// format, into the job's output stream. That stream is the masker's
// input: markers and messages travel in band with the job's own output,
// so a message can never overtake bytes the masker is holding back.
type trace struct {
	w   io.Writer
	now func() time.Time
}

// sectionStart opens a collapsible section with a header line, exactly
// as GitLab Runner writes it.
func (t *trace) sectionStart(name, header string) {
	fmt.Fprintf(t.w, "%ssection_start:%d:%s\r%s", ansiClear, t.now().Unix(), name, ansiClear)
	fmt.Fprintf(t.w, "%s%s%s%s\n", ansiClear, ansiHeader, header, ansiReset)
}

func (t *trace) sectionEnd(name string) {
	fmt.Fprintf(t.w, "%ssection_end:%d:%s\r%s", ansiClear, t.now().Unix(), name, ansiClear)
}

func (t *trace) line(s string)    { fmt.Fprintf(t.w, "%s\n", s) }
func (t *trace) success(s string) { fmt.Fprintf(t.w, "%s%s%s\n", ansiGreen, s, ansiReset) }
func (t *trace) warning(s string) { fmt.Fprintf(t.w, "%sWARNING: %s%s\n", ansiYellow, s, ansiReset) }
func (t *trace) failure(s string) { fmt.Fprintf(t.w, "%sERROR: %s%s\n", ansiRed, s, ansiReset) }
