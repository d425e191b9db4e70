package client

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors a caller acts on; an *APIError matches the one for its status
// code with errors.Is.
var (
	ErrForbidden    = errors.New("forbidden")             // 403: bad token, or the job is no longer running
	ErrNotFound     = errors.New("not found")             // 404
	ErrConflict     = errors.New("conflict")              // 409: job taken by another runner (manager)
	ErrOrphaned     = errors.New("runner is orphaned")    // 422 on verify / jobs/request
	ErrTooLarge     = errors.New("too large")             // 413
	ErrUnavailable  = errors.New("GitLab is unavailable") // 503
	ErrUnauthorized = errors.New("unauthorized")          // 401
)

// APIError is an unexpected or failing status code.
type APIError struct {
	Op         string // what the client was doing, e.g. "request job"
	StatusCode int
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
}

// Is maps the status code to the sentinel errors above.
func (e *APIError) Is(target error) bool {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return target == ErrUnauthorized
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusNotFound:
		return target == ErrNotFound
	case http.StatusConflict:
		return target == ErrConflict
	case http.StatusRequestEntityTooLarge:
		return target == ErrTooLarge
	case http.StatusUnprocessableEntity:
		return target == ErrOrphaned
	case http.StatusServiceUnavailable:
		return target == ErrUnavailable
	}
	return false
}

func apiError(op string, code int) error { return &APIError{Op: op, StatusCode: code} }
