package jobapi

import (
	"crypto/md5"  //nolint:gosec // GitLab reports file_md5; not used for security
	"crypto/sha1" //nolint:gosec // GitLab reports file_sha1; not used for security
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
)

// MaxPackageFileSize is GitLab's default limit for one generic package file.
const MaxPackageFileSize = 5 << 30

// packageFileResponse is GitLab's package file entity, returned by
// PUT ...?select=package_file.
type packageFileResponse struct {
	Size       int64      `json:"size"`
	FileStore  int        `json:"file_store"`
	FileMD5    string     `json:"file_md5"`
	FileSHA1   string     `json:"file_sha1"`
	FileSHA256 string     `json:"file_sha256"`
	FileName   string     `json:"file_name"`
	File       packageURL `json:"file"`
	CreatedAt  string     `json:"created_at"`
	UpdatedAt  string     `json:"updated_at"`
}

type packageURL struct {
	URL string `json:"url"`
}

// packageName is where a package file lives below the data directory;
// keyed by project id so a renamed project keeps its packages.
func packageName(c *call) string {
	return path.Join("packages", strconv.FormatInt(c.target.ID, 10), c.route.pkg, c.route.version, c.route.file)
}

// putPackage stores an upload atomically, computing the checksums GitLab
// reports on the way through.
func (s *Server) putPackage(c *call) *apiError {
	root, err := os.OpenRoot(s.cfg.DataDir)
	if err != nil {
		return internalError()
	}
	defer root.Close()
	sum256, sum1, sum5 := sha256.New(), sha1.New(), md5.New()
	body := io.TeeReader(http.MaxBytesReader(c.w, c.r.Body, MaxPackageFileSize), io.MultiWriter(sum256, sum1, sum5))
	n, err := writeAtomic(root, packageName(c), body, 0o644)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{http.StatusBadRequest, "400 Bad request - File is too large"}
		}
		return &apiError{http.StatusBadRequest, "400 Bad request - upload failed"}
	}
	if c.params.Get("select") != "package_file" {
		writeJSON(c.w, http.StatusCreated, map[string]string{"message": "201 Created"})
		return nil
	}
	now := apiTime(s.cfg.Now())
	writeJSON(c.w, http.StatusCreated, packageFileResponse{
		Size: n, FileStore: 1, FileName: c.route.file,
		FileMD5: hex.EncodeToString(sum5.Sum(nil)), FileSHA1: hex.EncodeToString(sum1.Sum(nil)),
		FileSHA256: hex.EncodeToString(sum256.Sum(nil)),
		File:       packageURL{URL: "/" + c.route.file}, CreatedAt: now, UpdatedAt: now,
	})
	return nil
}

func (s *Server) getPackage(c *call) *apiError {
	root, err := os.OpenRoot(s.cfg.DataDir)
	if err != nil {
		return internalError()
	}
	defer root.Close()
	f, err := root.Open(packageName(c))
	if errors.Is(err, fs.ErrNotExist) {
		return &apiError{http.StatusNotFound, "404 Package Not Found"}
	}
	if err != nil {
		return internalError()
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return &apiError{http.StatusNotFound, "404 Package Not Found"}
	}
	c.w.Header().Set("Content-Type", "application/octet-stream")
	c.w.Header().Set("Content-Disposition", `attachment; filename="`+c.route.file+`"`)
	http.ServeContent(c.w, c.r, "", info.ModTime(), f)
	return nil
}

func internalError() *apiError {
	return &apiError{http.StatusInternalServerError, "500 Internal Server Error"}
}
