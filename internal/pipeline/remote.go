package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

// maxRemoteSize bounds a remote include.
const maxRemoteSize = 4 << 20

// fetchRemote returns a remote include: fetched with HTTPS GET and stored
// in the cache, or, with Offline, read from the cache only. When the fetch
// fails and a cached copy exists, the copy is used and a note says so.
func (c *compiler) fetchRemote(n *Node, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errAt(n, "include:remote is not a valid http(s) URL; expected https://host/path.yml")
	}
	cached, cacheErr := c.readRemoteCache(rawURL)
	if c.opts.Remote.Offline {
		if cacheErr != nil {
			return nil, errAt(n, "include:remote %q is not in the include cache and --offline forbids fetching it; run once without --offline", redactURL(u))
		}
		return cached, nil
	}
	data, err := c.download(u)
	if err != nil {
		if cacheErr == nil {
			c.note(fmt.Sprintf("include:remote %s could not be fetched (%v); used the cached copy", redactURL(u), err))
			return cached, nil
		}
		return nil, errAt(n, "include:remote %q could not be fetched: %v", redactURL(u), err)
	}
	c.writeRemoteCache(rawURL, data)
	return data, nil
}

func (c *compiler) download(u *url.URL) ([]byte, error) {
	client := c.opts.Remote.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err // the URL may hold credentials; the message names it already
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxRemoteSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxRemoteSize {
		return nil, fmt.Errorf("larger than %d bytes", maxRemoteSize)
	}
	return data, nil
}

func (c *compiler) cachePath(rawURL string) string {
	if c.opts.Remote.CacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(rawURL))
	return filepath.Join(c.opts.Remote.CacheDir, hex.EncodeToString(sum[:])+".yml")
}

func (c *compiler) readRemoteCache(rawURL string) ([]byte, error) {
	p := c.cachePath(rawURL)
	if p == "" {
		return nil, os.ErrNotExist
	}
	return os.ReadFile(p)
}

// writeRemoteCache stores a copy atomically (temp file + rename), so a
// failed write never leaves half a file; failing to cache is not an error.
func (c *compiler) writeRemoteCache(rawURL string, data []byte) {
	p := c.cachePath(rawURL)
	if p == "" || os.MkdirAll(filepath.Dir(p), 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".include-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), p) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// redactURL drops credentials and the query, which may hold tokens.
func redactURL(u *url.URL) string {
	r := *u
	r.User = nil
	r.RawQuery = ""
	return r.String()
}
