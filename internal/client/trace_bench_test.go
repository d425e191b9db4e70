package client_test

import (
	"bytes"
	"hash/crc32"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/gitlabfake"
)

// peakHeap samples the live heap every 10 ms until stop is called and
// returns the highest value seen, in MiB.
func peakHeap() (stop func() float64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(peak.Load()) / (1 << 20)
	}
}

// BenchmarkTraceUpload streams a job log of the given size through the
// trace uploader to the fake coordinator over loopback HTTP (1 MiB
// PATCHes, final PUT with checksum), in 32 KiB writes as a busy job
// produces them. It reports CPU per MiB (jobrun and the in-process fake
// together) and the peak live heap, which must not grow with the log.
func BenchmarkTraceUpload(b *testing.B) {
	for _, size := range []int{16 << 20, 256 << 20} {
		b.Run(sizeName(size), func(b *testing.B) { benchTraceUpload(b, size) })
	}
}

func sizeName(n int) string { return map[int]string{16 << 20: "16MiB", 256 << 20: "256MiB"}[n] }

func benchTraceUpload(b *testing.B, size int) {
	chunk := maskedLog(32 << 10)
	b.SetBytes(int64(size))
	var cpu time.Duration
	var peak float64
	for b.Loop() {
		b.StopTimer()
		fake := gitlabfake.New(b, gitlabfake.Options{HashOnlyTraces: true})
		c := newBenchClient(b, fake)
		fj := fake.Enqueue(benchPayload())
		p, _, err := c.RequestJob(b.Context(), fake.RunnerToken(), "")
		if err != nil {
			b.Fatal(err)
		}
		if err := c.AcceptJob(b.Context(), p); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := peakHeap()
		startCPU := cpuTime()
		b.StartTimer()
		tr := c.NewTrace(b.Context(), p, client.TraceOptions{UpdateInterval: 5 * time.Millisecond, OutputLimit: int64(size) + 1, TempDir: b.TempDir()})
		for written := 0; written < size; written += len(chunk) {
			if _, err := tr.Write(chunk[:min(len(chunk), size-written)]); err != nil {
				b.Fatal(err)
			}
		}
		if err := tr.Finish(b.Context(), success); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - startCPU
		peak = max(peak, stop())
		if final, ok := fj.Final(); !ok || final.Output.Bytesize != int64(size) {
			b.Fatalf("final update: %+v", final)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N)/float64(size>>20), "cpu-ms/MiB")
	b.ReportMetric(peak, "peak-heap-MiB")
}

// BenchmarkTraceBaseline is the peer: the same log kept in a bytes.Buffer
// with a running CRC32, no network — the cost of the naive in-memory
// approach the uploader replaces.
func BenchmarkTraceBaseline(b *testing.B) {
	for _, size := range []int{16 << 20, 256 << 20} {
		b.Run(sizeName(size), func(b *testing.B) {
			chunk := maskedLog(32 << 10)
			b.SetBytes(int64(size))
			var peak float64
			var cpu time.Duration
			for b.Loop() {
				runtime.GC()
				stop := peakHeap()
				start := cpuTime()
				var buf bytes.Buffer
				var sum uint32
				for written := 0; written < size; written += len(chunk) {
					part := chunk[:min(len(chunk), size-written)]
					buf.Write(part)
					sum = crc32.Update(sum, crc32.IEEETable, part)
				}
				cpu += cpuTime() - start
				peak = max(peak, stop())
				if buf.Len() != size || sum == 0 {
					b.Fatal("baseline lost bytes")
				}
			}
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N)/float64(size>>20), "cpu-ms/MiB")
			b.ReportMetric(peak, "peak-heap-MiB")
		})
	}
}

func newBenchClient(b *testing.B, fake *gitlabfake.Server) *client.Client {
	c, err := client.New(client.Options{URL: fake.URL(), Version: "bench", Info: client.Info{Features: client.ProtocolFeatures()}, Retry: fastRetry})
	if err != nil {
		b.Fatal(err)
	}
	return c
}
