package gitlabfake

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Artifact is one upload the coordinator accepted.
type Artifact struct {
	Type, Format, ExpireIn string
	Filename               string
	Data                   []byte
}

// FinishedJob is a job of an earlier stage whose artifacts a job depends
// on; Token is what the dependency entry carries for the download.
type FinishedJob struct {
	ID    int64
	Token string
	Zip   []byte
}

// AddFinishedJob makes GET /jobs/<id>/artifacts serve zip to requests
// with JOB-TOKEN token (through a 302 to object storage, as GitLab does).
func (s *Server) AddFinishedJob(f FinishedJob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished[f.ID] = &f
}

// Artifacts lists the job's accepted uploads.
func (j *Job) Artifacts() []Artifact {
	defer j.lock()()
	return append([]Artifact(nil), j.artifacts...)
}

// InjectUploadFaults makes the next artifact uploads answer with these
// faults (413, 503, …); a 307 redirects to the same endpoint, where the
// upload must be sent again.
func (j *Job) InjectUploadFaults(f ...Fault) {
	defer j.lock()()
	j.uploadFaults = append(j.uploadFaults, f...)
}

// maxArtifactSize is the fake instance's max_artifacts_size.
const maxArtifactSize = 64 << 20

// uploadArtifact is POST /jobs/:id/artifacts (multipart field "file").
func (s *Server) uploadArtifact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	j := s.authJobLocked(w, r, false)
	if j == nil {
		s.mu.Unlock()
		return
	}
	if len(j.uploadFaults) > 0 {
		f := j.uploadFaults[0]
		j.uploadFaults = j.uploadFaults[1:]
		s.mu.Unlock()
		if f.Status == http.StatusTemporaryRedirect {
			q := r.URL.Query()
			q.Set("redirected", "1")
			w.Header().Set("Location", r.URL.Path+"?"+q.Encode())
		}
		writeFault(w, f)
		return
	}
	s.mu.Unlock()
	q := r.URL.Query()
	if q.Get("artifact_type") == "" || q.Get("artifact_format") == "" {
		s.violation("artifact upload without artifact_type/artifact_format: %q", r.URL.RawQuery)
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		s.violation("artifact upload: %v", err)
		http.Error(w, `{"message":"400 Bad request"}`, http.StatusBadRequest)
		return
	}
	defer r.MultipartForm.RemoveAll()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.violation("artifact upload without a file field: %v", err)
		http.Error(w, `{"message":"400 Bad request - file is missing"}`, http.StatusBadRequest)
		return
	}
	defer file.Close()
	if hdr.Size > maxArtifactSize {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	data, err := io.ReadAll(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	j.artifacts = append(j.artifacts, Artifact{Type: q.Get("artifact_type"), Format: q.Get("artifact_format"),
		ExpireIn: q.Get("expire_in"), Filename: hdr.Filename, Data: data})
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]string{"message": "201 Created"})
}

// downloadArtifact is GET /jobs/:id/artifacts: 401 without a token, 404
// without artifacts, 403 with a wrong token, else a 302 to object storage.
func (s *Server) downloadArtifact(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	tok := jobToken(r)
	s.mu.Lock()
	f := s.finished[id]
	s.mu.Unlock()
	switch {
	case tok == "":
		http.Error(w, `{"message":"401 Unauthorized"}`, http.StatusUnauthorized)
	case f == nil:
		http.Error(w, `{"message":"404 Not found"}`, http.StatusNotFound)
	case tok != f.Token:
		http.Error(w, `{"message":"403 Forbidden"}`, http.StatusForbidden)
	default:
		key := randomHex(8)
		s.mu.Lock()
		s.objects[key] = f.Zip
		s.mu.Unlock()
		http.Redirect(w, r, fmt.Sprintf("%s/_objects/%s", s.objectStore.URL, key), http.StatusFound)
	}
}

// object serves "object storage": a pre-signed URL needs no token.
func (s *Server) object(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data, ok := s.objects[r.PathValue("key")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
