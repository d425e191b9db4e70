package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"strconv"
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
	uid, gid, numeric := numericUser(s.user)
	hdrs := []*tar.Header{{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o700, ModTime: now, Uid: uid, Gid: gid}}
	for _, e := range entries {
		hdrs = append(hdrs, &tar.Header{
			Typeflag: tar.TypeReg, Name: dir + "/" + e.name, Mode: 0o600, Size: int64(len(e.content)), ModTime: now, Uid: uid, Gid: gid,
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
		// A user name is resolved by the engine in the image's passwd
		// file; numeric ids are written into the archive as they are.
		DestinationPath: "/", Content: &buf, CopyUIDGID: s.user != "" && !numeric,
	})
	if err != nil {
		return fmt.Errorf("copying files into the build container: %w", err)
	}
	return nil
}

// numericUser parses a "uid" or "uid:gid" user; a name is not numeric.
func numericUser(user string) (uid, gid int, ok bool) {
	u, g, hasGroup := strings.Cut(user, ":")
	uid, err := strconv.Atoi(u)
	if err != nil || uid < 0 {
		return 0, 0, false
	}
	gid = uid
	if hasGroup {
		if gid, err = strconv.Atoi(g); err != nil || gid < 0 {
			return 0, 0, false
		}
	}
	return uid, gid, true
}
