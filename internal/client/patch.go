package client

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// MaxPatchSize is the most trace bytes one PATCH carries (GitLab Runner's
// DefaultTracePatchLimit).
const MaxPatchSize = 1 << 20

// PatchTrace sends content as the trace bytes from offset on, with PATCH
// /api/v4/jobs/:id/trace and Content-Range "start-end" (end inclusive).
// It returns the answer for every status code; the error is only for
// transport failures. An empty content is a caller bug.
func (c *Client) PatchTrace(ctx context.Context, id int64, token string, offset int64, content []byte, debug bool) (*Response, error) {
	if len(content) == 0 {
		return nil, fmt.Errorf("patch trace: nothing to send")
	}
	q := map[string][]string{"debug_trace": {strconv.FormatBool(debug)}}
	req, err := c.newRequest(ctx, http.MethodPatch, "jobs/"+strconv.FormatInt(id, 10)+"/trace", q, bytes.NewReader(content))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set(headerJobToken, token)
	req.Header.Set("Content-Range", fmt.Sprintf("%d-%d", offset, offset+int64(len(content))-1))
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return newResponse(resp), nil
}

// ParseRange reads the server's trace size from a Range header
// "0-<size>" (GitLab sends it with 202 and 416 answers to a PATCH).
func ParseRange(v string) (int64, error) {
	start, end, ok := strings.Cut(strings.TrimSpace(v), "-")
	if !ok || start != "0" {
		return 0, fmt.Errorf("Range %q: want 0-<size>", v)
	}
	n, err := strconv.ParseInt(end, 10, 64)
	if err != nil || n < 0 || end[0] == '+' {
		return 0, fmt.Errorf("Range %q: want 0-<size>", v)
	}
	return n, nil
}
