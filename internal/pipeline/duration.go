package pipeline

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// parseDuration reads GitLab's human durations ("1h 30m", "2 hours",
// "90 minutes", "3600") into seconds.
func parseDuration(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if n, err := strconv.Atoi(s); err == nil {
		return checkDuration(n)
	}
	total, i := 0, 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == ',' || strings.HasPrefix(s[i:], "and ")) {
			if s[i] == 'a' {
				i += 3
			}
			i++
		}
		start := i
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if start == i {
			return 0, fmt.Errorf("expected a number at %q; write durations such as 1h 30m or 90 minutes", s[start:])
		}
		num, err := strconv.ParseFloat(s[start:i], 64)
		if err != nil || num > 1e9 {
			return 0, fmt.Errorf("bad number %q", s[start:i])
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		ustart := i
		for i < len(s) && unicode.IsLetter(rune(s[i])) {
			i++
		}
		mult, ok := durationUnits[s[ustart:i]]
		if !ok {
			return 0, fmt.Errorf("unknown unit %q; expected seconds, minutes, hours, days or weeks", s[ustart:i])
		}
		total += int(num * float64(mult))
		if total > 1e12 { // far beyond the limit; stop before int overflow
			return 0, fmt.Errorf("expected a duration between 1 second and 1 month")
		}
	}
	return checkDuration(total)
}

func checkDuration(n int) (int, error) {
	if n <= 0 || n > 30*24*3600 {
		return 0, fmt.Errorf("expected a duration between 1 second and 1 month")
	}
	return n, nil
}

var durationUnits = map[string]int{
	"": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
	"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
	"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
	"d": 86400, "day": 86400, "days": 86400,
	"w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
}

// StartInDuration is the job's `start_in:` as a duration; 0 when the job
// has none (the compiler has already rejected unreadable values).
func (j *Job) StartInDuration() time.Duration {
	if j.StartIn == "" {
		return 0
	}
	secs, err := parseDuration(j.StartIn)
	if err != nil {
		return 0
	}
	return time.Duration(secs) * time.Second
}
