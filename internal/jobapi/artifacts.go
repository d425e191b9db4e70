package jobapi

import (
	"archive/zip"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
)

// ErrNoArtifacts is what an ArtifactStore returns when no successful job
// of that name has artifacts for the ref.
var ErrNoArtifacts = errors.New("jobapi: no artifacts")

// ArtifactStore finds the artifacts of earlier local jobs; exec keeps them
// under .jobrun/artifacts.
type ArtifactStore interface {
	// LatestArtifacts returns the directory holding the artifacts of the
	// latest successful job named job that ran for ref in project, or
	// ErrNoArtifacts.
	LatestArtifacts(project Project, ref, job string) (dir string, err error)
}

// ArtifactStoreFunc adapts a function to ArtifactStore.
type ArtifactStoreFunc func(project Project, ref, job string) (string, error)

// LatestArtifacts calls f.
func (f ArtifactStoreFunc) LatestArtifacts(project Project, ref, job string) (string, error) {
	return f(project, ref, job)
}

var errNoArtifacts = &apiError{http.StatusNotFound, "404 Not found"}

// serveArtifacts answers GET .../jobs/artifacts/:ref/download?job=NAME with
// a zip built on the fly, and .../raw/*path with one file of it.
func (s *Server) serveArtifacts(c *call) *apiError {
	jobName := c.params.Get("job")
	if jobName == "" {
		return &apiError{http.StatusBadRequest, "400 Bad request - job is missing"}
	}
	if s.cfg.Artifacts == nil {
		return errNoArtifacts
	}
	dir, err := s.cfg.Artifacts.LatestArtifacts(c.target, c.route.ref, jobName)
	if err != nil {
		return errNoArtifacts
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return errNoArtifacts
	}
	defer root.Close()
	if c.route.kind == routeArtifactRaw {
		return serveRaw(c, root)
	}
	c.w.Header().Set("Content-Type", "application/zip")
	c.w.Header().Set("Content-Disposition", `attachment; filename="artifacts.zip"`)
	c.w.WriteHeader(http.StatusOK)
	// The status is sent; a failure from here on can only cut the
	// download short, which the client sees as a broken zip.
	_ = writeZip(c.w, root.FS())
	return nil
}

func serveRaw(c *call, root *os.Root) *apiError {
	f, err := root.Open(c.route.artifactPath)
	if err != nil {
		return &apiError{http.StatusNotFound, "404 Not found"}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return &apiError{http.StatusNotFound, "404 Not found"}
	}
	http.ServeContent(c.w, c.r, info.Name(), info.ModTime(), f)
	return nil
}

// writeZip streams the regular files of fsys as a zip. Symbolic links and
// other special files are left out: os.Root already refuses links that
// leave the artifact directory, and a zip entry for one would only
// confuse unzip.
func writeZip(w io.Writer, fsys fs.FS) error {
	zw := zip.NewWriter(w)
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." || !d.Type().IsRegular() && !d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		hdr.Name = name
		if d.IsDir() {
			hdr.Name += "/"
			_, err = zw.CreateHeader(hdr)
			return err
		}
		hdr.Method = zip.Deflate
		dst, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		f, err := fsys.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(dst, f)
		return err
	})
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	return err
}
