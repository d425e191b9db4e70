package client_test

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/testutil"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/gitlabfake"
)

// waitFor polls cond until it holds; the deadline only guards against a
// hung test, it is not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

type traceCase struct {
	name       string
	size       int
	opts       func(*client.TraceOptions)
	before     func(*gitlabfake.Job)
	mid        func(t *testing.T, j *gitlabfake.Job, events *traceEvents)
	result     client.Result
	wantErr    error
	wantCancel bool
	wantAbort  bool
	// wantReason is the failure_reason GitLab must receive.
	wantReason string
	// seen are answers the fake must have given (proof the path ran).
	seen []int
	// wantTrace maps the written log to what GitLab must hold.
	wantTrace func([]byte) []byte
}

type traceEvents struct{ canceled, aborted atomic.Bool }

var success = client.Result{State: client.StateSuccess}

func traceCases() []traceCase {
	receivedSome := func(t *testing.T, j *gitlabfake.Job) {
		waitFor(t, "a first trace chunk", func() bool { return len(j.Trace()) > 0 })
	}
	return []traceCase{
		{name: "small log", size: 8 << 10, result: success},
		{name: "several 1 MiB chunks", size: 5<<20/2 + 17, result: success},
		{name: "spilled to a temp file", size: 3 << 20, opts: func(o *client.TraceOptions) { o.MemoryLimit = 64 << 10 }, result: success},
		{name: "script failure", size: 4 << 10, result: client.Result{State: client.StateFailed, ExitCode: 3, FailureReason: client.ReasonScriptFailure}, wantReason: "script_failure"},
		{name: "unsupported reason becomes unknown_failure", size: 4 << 10, result: client.Result{State: client.StateFailed, ExitCode: 1, FailureReason: client.ReasonImagePullFailure}, wantReason: "runner_system_failure"},
		{name: "416 resyncs from the server's offset", seen: []int{416}, size: 3 << 20,
			mid: func(t *testing.T, j *gitlabfake.Job, _ *traceEvents) { receivedSome(t, j); j.TruncateTrace(1000) }, result: success},
		{name: "connection dropped mid-PATCH", seen: []int{gitlabfake.StatusDropped}, size: 2 << 20, before: func(j *gitlabfake.Job) { j.DropPatches(2) }, result: success},
		{name: "5xx burst on PATCH", seen: []int{502, 503, 500}, size: 2 << 20, before: func(j *gitlabfake.Job) {
			j.InjectPatchFaults(gitlabfake.Fault{Status: 502}, gitlabfake.Fault{Status: 503}, gitlabfake.Fault{Status: 500})
		}, result: success},
		{name: "429 with Retry-After on PATCH", seen: []int{429}, size: 64 << 10, before: func(j *gitlabfake.Job) {
			j.InjectPatchFaults(gitlabfake.Fault{Status: 429, RetryAfter: 1})
		}, result: success},
		{name: "202 then 200 on the final update", seen: []int{202}, size: 64 << 10, before: func(j *gitlabfake.Job) { j.AcceptFinal(3) }, result: success},
		{name: "5xx on the final update is retried", size: 8 << 10, seen: []int{500, 502},
			before: func(j *gitlabfake.Job) {
				// Five answers exhaust one PUT's retries; the final loop backs off and tries again.
				j.InjectUpdateFaults(gitlabfake.Fault{Status: 500}, gitlabfake.Fault{Status: 502}, gitlabfake.Fault{Status: 503},
					gitlabfake.Fault{Status: 504}, gitlabfake.Fault{Status: 500}, gitlabfake.Fault{Status: 502})
			}, result: success},
		{name: "412 resends the whole trace", seen: []int{412}, size: 3 << 20, before: func(j *gitlabfake.Job) { j.FailChecksumOnce() }, result: success},
		{name: "output limit", size: 64 << 10, opts: func(o *client.TraceOptions) { o.OutputLimit = 1000 }, result: success,
			wantTrace: func(log []byte) []byte {
				return append(log[:1000:1000], "\n\x1b[33;1mJob's log exceeded limit of 1000 bytes.\nJob execution will continue but no more output will be collected.\x1b[0;m\n"...)
			}},
		{name: "canceling mid-job", size: 256 << 10, wantCancel: true, wantReason: "unknown_failure",
			mid: func(t *testing.T, j *gitlabfake.Job, ev *traceEvents) {
				receivedSome(t, j)
				j.SetStatus("canceling")
			},
			result: client.Result{State: client.StateFailed, FailureReason: client.ReasonJobCanceled}},
		{name: "canceling seen by the keep-alive", size: 1 << 10, wantCancel: true, wantReason: "script_failure",
			opts: func(o *client.TraceOptions) { o.ForceSendInterval = time.Millisecond },
			mid: func(t *testing.T, j *gitlabfake.Job, ev *traceEvents) {
				receivedSome(t, j)
				j.SetStatus("canceling")
				waitFor(t, "the keep-alive to see canceling", ev.canceled.Load)
			},
			result: client.Result{State: client.StateFailed, ExitCode: 1, FailureReason: client.ReasonScriptFailure}},
		{name: "canceled mid-job aborts", size: 256 << 10, wantAbort: true, wantErr: client.ErrJobAborted,
			mid: func(t *testing.T, j *gitlabfake.Job, ev *traceEvents) {
				receivedSome(t, j)
				j.SetStatus("canceled")
			},
			result: success},
		{name: "403 mid-job aborts", seen: []int{403}, size: 256 << 10, wantAbort: true, wantErr: client.ErrJobAborted,
			mid: func(t *testing.T, j *gitlabfake.Job, ev *traceEvents) {
				receivedSome(t, j)
				j.InjectPatchFaults(gitlabfake.Fault{Status: 403})
			},
			result: success},
	}
}

// Every trace scenario against the strict fake: GitLab ends up holding
// exactly the bytes written (or the abort is reported), the final update
// carries the matching checksum and size, and the job token only ever
// travelled in JOB-TOKEN headers and PUT bodies.
func TestTraceScenarios(t *testing.T) {
	t.Parallel()
	for _, tc := range traceCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runTraceCase(t, tc)
		})
	}
}

func runTraceCase(t *testing.T, tc traceCase) {
	fake := gitlabfake.New(t, gitlabfake.Options{TraceUpdateInterval: 1})
	c := newClient(t, fake)
	p, fj := takeJob(t, fake, c)
	if tc.before != nil {
		tc.before(fj)
	}
	var ev traceEvents
	opts := client.TraceOptions{
		UpdateInterval: 5 * time.Millisecond, MaxUpdateInterval: 20 * time.Millisecond,
		FinalBackoffMin: time.Millisecond, FinalBackoffMax: 10 * time.Millisecond,
		OutputLimit: 64 << 20, TempDir: t.TempDir(),
		OnCancel: func() { ev.canceled.Store(true) },
		OnAbort:  func() { ev.aborted.Store(true) },
	}
	if tc.opts != nil {
		tc.opts(&opts)
	}
	tr := c.NewTrace(t.Context(), p, opts)
	log := maskedLog(tc.size)
	half := len(log) / 2
	writeUneven(t, tr, log[:half])
	if tc.mid != nil {
		tc.mid(t, fj, &ev)
	}
	writeUneven(t, tr, log[half:])
	if tc.wantCancel {
		waitFor(t, "OnCancel", ev.canceled.Load)
	}
	if tc.wantAbort {
		waitFor(t, "OnAbort", ev.aborted.Load)
	}
	err := tr.Finish(t.Context(), tc.result)
	if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
		t.Fatalf("Finish = %v, want %v", err, tc.wantErr)
	}
	if ev.canceled.Load() != tc.wantCancel || ev.aborted.Load() != tc.wantAbort {
		t.Errorf("canceled=%v aborted=%v, want %v %v", ev.canceled.Load(), ev.aborted.Load(), tc.wantCancel, tc.wantAbort)
	}
	assertTokenOnlyInAllowedPlaces(t, fake)
	assertNoViolations(t, fake)
	answered := map[int]bool{}
	for _, r := range fake.Requests() {
		answered[r.Status] = true
	}
	for _, code := range tc.seen {
		if !answered[code] {
			t.Errorf("the fake never answered %d: the scenario did not run", code)
		}
	}
	if tc.wantAbort {
		if _, ok := fj.Final(); ok {
			t.Error("a final update was sent for an aborted job")
		}
		return
	}
	want := log
	if tc.wantTrace != nil {
		want = tc.wantTrace(log)
	}
	assertStoredTrace(t, fj, want, p.Token)
	final, ok := fj.Final()
	if !ok {
		t.Fatal("no final update accepted")
	}
	if final.State != tc.result.State || final.FailureReason != tc.wantReason || final.ExitCode != tc.result.ExitCode {
		t.Errorf("final = %s/%q/%d, want %s/%q/%d", final.State, final.FailureReason, final.ExitCode, tc.result.State, tc.wantReason, tc.result.ExitCode)
	}
}

// writeUneven writes b in pieces of varying sizes, as a process does.
func writeUneven(t *testing.T, w interface{ Write([]byte) (int, error) }, b []byte) {
	t.Helper()
	for i, n := 0, 1; len(b) > 0; i++ {
		n = min(len(b), 1+(i*7919)%70000)
		if _, err := w.Write(b[:n]); err != nil {
			t.Fatal(err)
		}
		b = b[n:]
	}
}

func assertStoredTrace(t *testing.T, fj *gitlabfake.Job, want []byte, token string) {
	t.Helper()
	got := fj.Trace()
	if !bytes.Equal(got, want) {
		t.Errorf("stored trace: %d bytes, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
	if bytes.Contains(got, []byte(token)) {
		t.Error("the stored trace contains the job token")
	}
	final, _ := fj.Final()
	wantSum := fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE(want))
	if final.Output == nil || final.Output.Checksum != wantSum || final.Output.Bytesize != int64(len(want)) {
		t.Errorf("final output = %+v, want %s/%d", final.Output, wantSum, len(want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// The golden masked log goes through the uploader unchanged: what GitLab
// stores is byte-identical to it.
func TestTraceGoldenLog(t *testing.T) {
	t.Parallel()
	if testutil.Updating() {
		golden(t, "masked-job-log", maskedLog(20<<10))
	}
	want := readGolden(t, "masked-job-log")
	fake := gitlabfake.New(t, gitlabfake.Options{})
	c := newClient(t, fake)
	p, fj := takeJob(t, fake, c)
	tr := c.NewTrace(t.Context(), p, client.TraceOptions{UpdateInterval: time.Millisecond})
	writeUneven(t, tr, want)
	if err := tr.Finish(t.Context(), success); err != nil {
		t.Fatal(err)
	}
	assertStoredTrace(t, fj, want, p.Token)
	if bytes.Contains(fj.Trace(), []byte("glcbt-")) {
		t.Error("stored trace holds a job token prefix")
	}
}
