package jobapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
)

// releaseRequest is the body of POST /projects/:id/releases (JSON, or the
// same names as form fields).
type releaseRequest struct {
	TagName     string   `json:"tag_name"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Ref         string   `json:"ref"`
	TagMessage  string   `json:"tag_message"`
	ReleasedAt  string   `json:"released_at"`
	Milestones  []string `json:"milestones"`
	Assets      struct {
		Links []releaseLink `json:"links"`
	} `json:"assets"`
}

type releaseLink struct {
	Name            string `json:"name"`
	URL             string `json:"url"`
	DirectAssetPath string `json:"direct_asset_path,omitempty"`
	LinkType        string `json:"link_type,omitempty"`
}

// releaseResponse is GitLab's Release entity, also what is recorded.
type releaseResponse struct {
	TagName         string         `json:"tag_name"`
	Name            string         `json:"name"`
	Description     string         `json:"description"`
	CreatedAt       string         `json:"created_at"`
	ReleasedAt      string         `json:"released_at"`
	UpcomingRelease bool           `json:"upcoming_release"`
	Author          userResponse   `json:"author"`
	Commit          commitResponse `json:"commit"`
	Ref             string         `json:"ref,omitempty"`
	Milestones      []string       `json:"milestones"`
	Assets          releaseAssets  `json:"assets"`
	Project         string         `json:"project"`
	JobID           int64          `json:"job_id"`
}

type releaseAssets struct {
	Count int           `json:"count"`
	Links []releaseLink `json:"links"`
}

// createRelease records the release as JSON under releases/<project id>/.
// A second release of the same tag is refused, as GitLab refuses it.
func (s *Server) createRelease(c *call) *apiError {
	req, aerr := decodeRelease(c)
	if aerr != nil {
		return aerr
	}
	name := path.Join("releases", strconv.FormatInt(c.target.ID, 10), url.PathEscape(req.TagName)+".json")
	now := apiTime(s.cfg.Now())
	rel := releaseResponse{
		TagName: req.TagName, Name: req.Name, Description: req.Description,
		CreatedAt: now, ReleasedAt: now, Author: jobUser(c.job), Ref: req.Ref,
		Commit: commitResponse{ID: c.job.SHA, ShortID: shortSHA(c.job.SHA)}, Milestones: req.Milestones,
		Assets:  releaseAssets{Count: len(req.Assets.Links), Links: req.Assets.Links},
		Project: c.target.FullPath, JobID: c.job.JobID,
	}
	if rel.Name == "" {
		rel.Name = rel.TagName
	}
	if req.ReleasedAt != "" {
		rel.ReleasedAt = req.ReleasedAt
	}
	body, err := json.MarshalIndent(rel, "", "  ")
	if err != nil {
		return internalError()
	}
	root, err := os.OpenRoot(s.cfg.DataDir)
	if err != nil {
		return internalError()
	}
	defer root.Close()
	s.releaseMu.Lock()
	defer s.releaseMu.Unlock()
	if _, err := root.Stat(name); !errors.Is(err, fs.ErrNotExist) {
		return &apiError{http.StatusConflict, "Release already exists"}
	}
	if _, err := writeAtomic(root, name, bytes.NewReader(append(body, '\n')), 0o644); err != nil {
		return internalError()
	}
	writeJSON(c.w, http.StatusCreated, rel)
	return nil
}

func decodeRelease(c *call) (releaseRequest, *apiError) {
	var req releaseRequest
	mediaType, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if mediaType == "application/json" {
		dec := json.NewDecoder(io.LimitReader(c.r.Body, maxFormBody))
		if err := dec.Decode(&req); err != nil {
			return req, &apiError{http.StatusBadRequest, "400 Bad request - body is not valid JSON"}
		}
	} else {
		req.TagName, req.Name = c.params.Get("tag_name"), c.params.Get("name")
		req.Description, req.Ref = c.params.Get("description"), c.params.Get("ref")
		req.TagMessage, req.ReleasedAt = c.params.Get("tag_message"), c.params.Get("released_at")
	}
	if !validTagName(req.TagName) {
		return req, &apiError{http.StatusBadRequest, "400 Bad request - tag_name is missing or invalid"}
	}
	return req, nil
}

// validTagName applies the parts of git check-ref-format that matter for
// a tag name used as a file name.
func validTagName(tag string) bool {
	return tag != "" && len(tag) <= 255 && tag != "." && !strings.HasPrefix(tag, "-") &&
		!strings.HasPrefix(tag, "/") && !strings.HasSuffix(tag, "/") && !strings.HasSuffix(tag, ".lock") &&
		!strings.Contains(tag, "..") && !strings.Contains(tag, "//") && !strings.Contains(tag, "@{") &&
		!strings.ContainsAny(tag, " ~^:?*[\\") && !strings.ContainsFunc(tag, isControl)
}
