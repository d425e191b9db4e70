package jobapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"sync"
	"time"
)

// JobInfo is what the server knows about the job a token belongs to.
type JobInfo struct {
	ProjectID  int64 // must name one of Config.Projects
	JobID      int64
	JobName    string
	Stage      string
	PipelineID int64
	Ref        string
	SHA        string
	UserName   string // the user the pipeline runs as; "jobrun" when empty
	StartedAt  time.Time
}

// tokenRegistry holds the tokens of running jobs. Only a SHA-256 of each
// token is kept, so a memory dump or a debug print of the registry never
// shows a usable token.
type tokenRegistry struct {
	mu   sync.RWMutex
	jobs map[[sha256.Size]byte]registered
}

type registered struct {
	digest [sha256.Size]byte
	job    JobInfo
}

// MinTokenLength is the shortest token Register accepts: exec's tokens
// are glcbt- and 20 or more random characters; anything much shorter
// could be guessed, and could not be masked without mangling the log.
const MinTokenLength = 16

var errShortToken = errors.New("jobapi: job token shorter than 16 characters")

func newTokenRegistry() *tokenRegistry {
	return &tokenRegistry{jobs: map[[sha256.Size]byte]registered{}}
}

func (r *tokenRegistry) register(token string, job JobInfo) error {
	if len(token) < MinTokenLength {
		return errShortToken
	}
	digest := sha256.Sum256([]byte(token))
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, taken := r.jobs[digest]; taken {
		// Never say which job holds it: the caller minted a duplicate.
		return errors.New("jobapi: job token is already registered")
	}
	r.jobs[digest] = registered{digest: digest, job: job}
	return nil
}

func (r *tokenRegistry) revoke(token string) {
	digest := sha256.Sum256([]byte(token))
	r.mu.Lock()
	delete(r.jobs, digest)
	r.mu.Unlock()
}

// lookup returns the job of a live token. The map is keyed by the digest,
// so the lookup's timing depends on the digest, never on how many leading
// characters of a real token a guess shares; the final comparison is in
// constant time as well.
func (r *tokenRegistry) lookup(token string) (JobInfo, bool) {
	if token == "" {
		return JobInfo{}, false
	}
	digest := sha256.Sum256([]byte(token))
	r.mu.RLock()
	entry, ok := r.jobs[digest]
	r.mu.RUnlock()
	if !ok || subtle.ConstantTimeCompare(entry.digest[:], digest[:]) != 1 {
		return JobInfo{}, false
	}
	return entry.job, true
}
