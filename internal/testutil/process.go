package testutil

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// ProcessGone reports whether pid has exited — gone, or a zombie waiting
// to be reaped by whoever adopted it — within about three seconds. Tests
// use it to prove that a stopped job left no process behind.
func ProcessGone(pid int) bool {
	for range 300 {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && len(stat) > i+2 && stat[i+2] == 'Z' {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
