package masker
import ("testing";"fmt";"io")
func BenchmarkZZParts(b *testing.B) {
	c, sets := benchCorpus()
	m := New(nil, Options{})
	for j, s := range sets[2] { m.AddSecret(fmt.Sprint("S", j), s) }
	mt := m.matcher()
	b.Run("triggers", func(b *testing.B) {
		b.SetBytes(int64(len(c)))
		var ps []patternSpan
		for b.Loop() { for i := 0; i+4096 <= len(c); i += 4096 { ps, _ = m.trig.find(c[i:i+4096], false, ps[:0]) } }
	})
	b.Run("needles", func(b *testing.B) {
		b.SetBytes(int64(len(c)))
		var sp []span
		for b.Loop() { for i := 0; i+4096 <= len(c); i += 4096 { sp = mt.find(c[i:i+4096], sp[:0]) } }
	})
	b.Run("partial", func(b *testing.B) {
		b.SetBytes(int64(len(c)))
		for b.Loop() { for i := 0; i+4096 <= len(c); i += 4096 { mt.partial(c[i:i+4096], 0, 1); m.trig.partial(c[i:i+4096], 0) } }
	})
}
func BenchmarkZZNext(b *testing.B) {
	c, _ := benchCorpus()
	m := New(nil, Options{})
	t := m.trig
	k := &defaultKeys{t.heads[0].rep0, t.heads[0].rep1, t.heads[1].rep0, t.heads[1].rep1, t.anchors[0].rep, &t.anchors[0].prev}
	b.SetBytes(int64(len(c)))
	n := 0
	for b.Loop() { for i := 0; i+4096 <= len(c); i += 4096 { v := c[i:i+4096]; for j := 0; ; j += 8 { j = k.next(v, j); if j+9 > len(v) {break}; n++ } } }
	b.Log(n/b.N)
}
func TestZZFP(t *testing.T) {
	c, sets := benchCorpus()
	for _, set := range [][]string{sets[2], sets[3]} {
		m := New(nil, Options{})
		for j, s := range set { m.AddSecret(fmt.Sprint("S", j), s) }
		mt := m.matcher()
		b := &mt.bands[len(mt.bands)-1]
		hits, samples := 0, 0
		for i := 0; i+4096 <= len(c); i += 4096 {
			v := c[i:i+4096]
			for p := 0; ; p += b.step { p = b.idx.nextHit(v, p, b.step); if p+8 > len(v) {break}; hits++ }
			samples += 4096 / b.step
		}
		t.Logf("secrets %d: filter %d KiB, pass rate %.2f%%", len(set), len(b.idx.filter)*8/1024, 100*float64(hits)/float64(samples))
	}
}
func BenchmarkZZSmall(b *testing.B) {
	c, _ := benchCorpus()
	c = c[:8<<20]
	m := New(nil, Options{})
	var ps []patternSpan
	for b.Loop() { for i := 0; i+4096 <= len(c); i += 4096 { ps, _ = m.trig.find(c[i:i+4096], false, ps[:0]) } }
}
func BenchmarkZZPipe(b *testing.B) {
	c, sets := benchCorpus()
	c = c[:8<<20]
	m := New(io.Discard, Options{})
	for j, s := range sets[2] { m.AddSecret(fmt.Sprint("S", j), s) }
	m.Write(c[:4096])
	for b.Loop() { for i := 0; i+4096 <= len(c); i += 4096 { m.Write(c[i:i+4096]) } }
}
