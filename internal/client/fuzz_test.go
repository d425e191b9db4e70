package client_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/client"
)

// FuzzParseRange: a Range header from the server either yields a size ≥ 0
// that prints back to the same header, or an error; never a panic.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"0-0", "0-1048576", " 0-12 ", "1-5", "0--1", "0-+3", "0-", "-", "0-99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		n, err := client.ParseRange(v)
		if err != nil {
			return
		}
		end := strings.TrimPrefix(strings.TrimSpace(v), "0-")
		if n < 0 || strings.TrimLeft(end, "0") != strings.TrimLeft(strconv.FormatInt(n, 10), "0") {
			t.Fatalf("ParseRange(%q) = %d", v, n)
		}
	})
}

// FuzzDecodePayload: any jobs/request body decodes or fails cleanly, and
// an error never quotes the body (which carries tokens).
func FuzzDecodePayload(f *testing.F) {
	data, err := os.ReadFile("../job/testdata/request-response.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"id":1,"token":"glcbt-secret-value-1234"}`))
	f.Add([]byte(`{"id":"1","token":"glcbt-secret-value-1234"}`))
	f.Add([]byte(`{"id":1,"token":"glcbt-secret-value-1234","variables":[{"key":"K","value":"glcbt-secret-value-1234","masked":"yes"}]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := client.DecodePayload(body)
		if err != nil {
			if strings.Contains(err.Error(), "glcbt-secret") {
				t.Fatalf("error quotes the body: %v", err)
			}
			return
		}
		if p.ID <= 0 || p.Token == "" {
			t.Fatalf("accepted a payload without id or token: %+v", p)
		}
	})
}
