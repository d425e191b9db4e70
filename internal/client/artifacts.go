package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jobrun/jobrun/internal/job"
)

// DownloadArtifacts writes the artifacts archive of dependency dep to w:
// GET /api/v4/jobs/<dep.ID>/artifacts with dep's own token in JOB-TOKEN.
// GitLab may redirect to object storage (302); the redirect is followed
// without the token. 401, 403 and 404 become errors naming the
// dependency (never its token) that match ErrUnauthorized, ErrForbidden
// and ErrNotFound; a 404 means the job fails with
// missing_dependency_failure.
func (c *Client) DownloadArtifacts(ctx context.Context, dep job.Dependency, w io.Writer) (*Response, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "jobs/"+strconv.FormatInt(dep.ID, 10)+"/artifacts", nil, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(headerJobToken, dep.Token)
	resp, err := c.do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading artifacts of %s (job %d): %w", dep.Name, dep.ID, err)
	}
	defer drain(resp.Body)
	r := newResponse(resp)
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("downloading artifacts of %s (job %d): %w", dep.Name, dep.ID, apiError("download artifacts", resp.StatusCode))
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return r, fmt.Errorf("downloading artifacts of %s (job %d): %w", dep.Name, dep.ID, err)
	}
	return r, nil
}

// ArtifactUpload is one archive or report to upload.
type ArtifactUpload struct {
	// Path is the local file (a zip, a gzip, or a raw report).
	Path string
	// Name is the file name GitLab stores (default: base of Path).
	Name string
	// Type, Format and ExpireIn become artifact_type, artifact_format and
	// expire_in ("archive"/"zip", "dotenv"/"gzip", …).
	Type, Format, ExpireIn string
}

// UploadArtifact sends one artifact with POST /api/v4/jobs/:id/artifacts
// as multipart field "file". 201 is success. A 307 is followed to its
// Location with the body sent again; 403 (ErrForbidden: token invalid or
// job not running) and 413 (ErrTooLarge) are final; 503 and other
// transient answers are retried.
func (c *Client) UploadArtifact(ctx context.Context, p *job.Payload, up ArtifactUpload) (*Response, error) {
	name := up.Name
	if name == "" {
		name = filepath.Base(up.Path)
	}
	if _, err := os.Stat(up.Path); err != nil {
		return nil, fmt.Errorf("uploading artifacts: %w", err)
	}
	q := url.Values{"artifact_format": {up.Format}, "artifact_type": {up.Type}}
	if up.ExpireIn != "" {
		q.Set("expire_in", up.ExpireIn)
	}
	body, contentType := multipartFile(up.Path, name)
	req, err := c.newRequest(ctx, http.MethodPost, "jobs/"+strconv.FormatInt(p.ID, 10)+"/artifacts", q, body())
	if err != nil {
		return nil, err
	}
	req.GetBody = func() (io.ReadCloser, error) { return body(), nil }
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(headerJobToken, p.Token)
	resp, err := c.do(req)
	if err != nil {
		return nil, fmt.Errorf("uploading artifacts %s: %w", name, err)
	}
	defer drain(resp.Body)
	r := newResponse(resp)
	if resp.StatusCode != http.StatusCreated {
		return r, fmt.Errorf("uploading artifacts %s: %w", name, apiError("upload artifacts", resp.StatusCode))
	}
	return r, nil
}

// multipartFile returns a function that streams a fresh multipart body
// holding the file (called again for every retry or redirect), and the
// body's Content-Type. The file is streamed, never loaded in memory.
func multipartFile(path, name string) (func() io.ReadCloser, string) {
	boundary := multipart.NewWriter(io.Discard).Boundary()
	body := func() io.ReadCloser {
		pr, pw := io.Pipe()
		go func() {
			mw := multipart.NewWriter(pw)
			_ = mw.SetBoundary(boundary)
			pw.CloseWithError(writeFilePart(mw, path, name))
		}()
		return pr
	}
	return body, "multipart/form-data; boundary=" + boundary
}

func writeFilePart(mw *multipart.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	part, err := mw.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, f); err != nil {
		return err
	}
	return errors.Join(mw.Close())
}
