package pipeline

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/jobrun/jobrun/internal/job"
)

// idTokenVariables are the job's `id_tokens:` as GitLab delivers them: one
// masked variable per token, holding a JWT with GitLab's claims. GitLab
// signs its tokens with the instance's key; a local run has none, so these
// are unsigned (alg "none") — enough for a script that reads or forwards
// the token, and refused, rightly, by anything that verifies it.
func idTokenVariables(j *Job, now time.Time) job.Variables {
	var out job.Variables
	for _, name := range slices.Sorted(maps.Keys(j.IDTokens)) {
		out = append(out, job.Variable{Key: name, Value: idTokenJWT(j, j.IDTokens[name].Aud, now), Masked: true})
	}
	return out
}

func idTokenJWT(j *Job, aud []string, now time.Time) string {
	v := j.Payload.Variables.Value
	timeout := j.Payload.RunnerInfo.Timeout
	if timeout <= 0 {
		timeout = job.DefaultTimeout
	}
	claims := map[string]any{
		"iss":             v("CI_SERVER_URL"),
		"sub":             "project_path:" + v("CI_PROJECT_PATH") + ":ref_type:" + refType(v) + ":ref:" + v("CI_COMMIT_REF_NAME"),
		"namespace_path":  v("CI_PROJECT_NAMESPACE"),
		"project_id":      v("CI_PROJECT_ID"),
		"project_path":    v("CI_PROJECT_PATH"),
		"pipeline_id":     v("CI_PIPELINE_ID"),
		"pipeline_source": v("CI_PIPELINE_SOURCE"),
		"job_id":          strconv.FormatInt(j.Payload.ID, 10),
		"ref":             v("CI_COMMIT_REF_NAME"),
		"ref_type":        refType(v),
		"ref_protected":   v("CI_COMMIT_REF_PROTECTED"),
		"jti":             rand.Text(),
		"iat":             now.Unix(),
		"nbf":             now.Unix() - 5,
		// Valid for the job's timeout plus GitLab's five minutes of leeway.
		"exp": now.Add(time.Duration(timeout)*time.Second + 5*time.Minute).Unix(),
	}
	if len(aud) == 1 {
		claims["aud"] = aud[0]
	} else {
		claims["aud"] = aud
	}
	header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": "jobrun-local"})
	body, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(header) + "." + enc.EncodeToString(body) + "."
}

func refType(v func(string) string) string {
	if v("CI_COMMIT_TAG") != "" {
		return job.RefTypeTag
	}
	return job.RefTypeBranch
}
