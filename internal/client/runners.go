package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// VerifiedRunner is the answer to POST /runners/verify.
type VerifiedRunner struct {
	ID             int64     `json:"id"`
	Token          string    `json:"token"`
	TokenExpiresAt time.Time `json:"token_expires_at"`
}

type verifyRequest struct {
	Token    string `json:"token"`
	SystemID string `json:"system_id,omitempty"`
	Info     Info   `json:"info"`
}

// VerifyRunner checks a runner authentication token (glrt-…) with POST
// /api/v4/runners/verify. 200 is success (older GitLab answers a plain
// "200" body, which yields a VerifiedRunner holding only the token), 403
// ErrForbidden, 422 ErrOrphaned.
func (c *Client) VerifyRunner(ctx context.Context, token, systemID string) (*VerifiedRunner, *Response, error) {
	const op = "verify runner"
	resp, err := c.postRunnerJSON(ctx, "runners/verify", token, verifyRequest{Token: token, SystemID: systemID, Info: c.info})
	if err != nil {
		return nil, nil, err
	}
	defer drain(resp.Body)
	r := newResponse(resp)
	if resp.StatusCode != http.StatusOK {
		return nil, r, apiError(op, resp.StatusCode)
	}
	out := &VerifiedRunner{Token: token}
	if isJSON(resp.Header) {
		if err := decodeJSON(resp.Body, out, 1<<20); err != nil {
			return nil, r, fmt.Errorf("%s: %w", op, err)
		}
	}
	return out, r, nil
}

// postRunnerJSON sends v, which holds the runner token, as a JSON body
// that can be replayed on retry; like GitLab Runner it also puts the token
// in the RUNNER-TOKEN header (Rails reads the body, proxies the header).
func (c *Client) postRunnerJSON(ctx context.Context, path, runnerToken string, v any) (*http.Response, error) {
	return c.sendJSON(ctx, http.MethodPost, path, http.Header{headerRunnerToken: {runnerToken}}, v)
}

func (c *Client) sendJSON(ctx context.Context, method, path string, header http.Header, v any) (*http.Response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, method, path, nil, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return c.do(req)
}

func isJSON(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// decodeJSON decodes one JSON value of at most limit bytes.
func decodeJSON(r io.Reader, v any, limit int64) error {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if int64(len(data)) > limit {
		return fmt.Errorf("answer larger than %d bytes", limit)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decoding the answer: %w", err)
	}
	return nil
}
