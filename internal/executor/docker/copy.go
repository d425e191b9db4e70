package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/client"
)

// tarEntry is one file for the session's private directory.
type tarEntry struct {
	name    string
	content []byte
}

// copyIn puts files (the file-type variables) into the private
// directory of the build container through the archive API: the
// directory with mode 0700 and each file with 0600, owned by the
// container's user when the job names one. Nothing passes through a
// command line or a host file.
func (s *session) copyIn(ctx context.Context, entries []tarEntry) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := strings.TrimPrefix(s.private, "/")
	now := time.Now()
	hdrs := []*tar.Header{{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o700, ModTime: now}}
	for _, e := range entries {
		hdrs = append(hdrs, &tar.Header{
			Typeflag: tar.TypeReg, Name: dir + "/" + e.name, Mode: 0o600, Size: int64(len(e.content)), ModTime: now,
		})
	}
	for i, h := range hdrs {
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("packing files for the container: %w", err)
		}
		if i > 0 {
			if _, err := tw.Write(entries[i-1].content); err != nil {
				return fmt.Errorf("packing files for the container: %w", err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("packing files for the container: %w", err)
	}
	_, err := s.d.api.CopyToContainer(ctx, s.container, client.CopyToContainerOptions{
		DestinationPath: "/", Content: &buf, CopyUIDGID: s.user != "",
	})
	if err != nil {
		return fmt.Errorf("copying files into the build container: %w", err)
	}
	return nil
}
