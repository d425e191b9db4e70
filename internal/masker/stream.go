package masker

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"slices"
)

// maxChunk bounds how much of one Write is masked at a time, so that the
// masker's buffers stay small however large the caller's writes are.
const maxChunk = 32 << 10

// streamState is the masker's position in the stream. Offsets are
// absolute (bytes since the start of the stream).
type streamState struct {
	held      []byte // bytes that may still begin a match; held[0] is at base
	base      int64
	emitted   int64 // everything before this is written out or masked
	maskedEnd int64 // end of the last [MASKED] interval; -1 before the first
	carry     carry
	lineStart bool // base is at the start of a line (see wrap.go)
	closed    bool
	err       error

	// scratch space reused by every write (no allocation in steady state)
	view   []byte
	pos    []int32
	breaks []span
	vspans []span
	spans  []span
	pspans []patternSpan
	out    []byte
	joined []byte // held + the new input
}

// carry is a pattern value (a token after glpat-, a query value) that ran
// to the end of the last write: the next write goes on swallowing its
// characters from at, instead of the masker holding the value back.
type carry struct {
	kind patternKind // 0: none
	at   int64       // where the last view ended
	from int64       // where the value's masked span starts; -1 while it is empty
}

func newStreamState() streamState {
	return streamState{maskedEnd: -1, carry: carry{from: -1}, lineStart: true}
}

var errClosed = errors.New("masker: write after Close")

// Write masks p and writes out every byte that can no longer become part
// of a match. It returns len(p) unless the underlying writer fails.
func (m *Masker) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &m.stream
	if s.closed {
		return 0, errClosed
	}
	if s.err != nil {
		return 0, s.err
	}
	for done := 0; done < len(p); {
		n := min(len(p)-done, maxChunk)
		data := p[done : done+n]
		if len(s.held) > 0 {
			s.joined = append(append(s.joined[:0], s.held...), data...)
			data = s.joined
		}
		if err := m.process(data, false); err != nil {
			return done, err
		}
		done += n
	}
	return len(p), nil
}

// Close writes out the bytes still held. A held tail that matches the
// first 8 or more bytes of a secret or derived form is written as
// [MASKED] (leak C). Close does not close the underlying writer; a second
// Close does nothing.
func (m *Masker) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &m.stream
	if s.closed {
		return s.err
	}
	s.closed = true
	if s.err != nil {
		return s.err
	}
	return m.process(s.held, true)
}

// process masks data (the held bytes followed by new input), writes out
// everything before the first byte that may still begin a match, and keeps
// the rest. At the end of the stream (final) nothing is kept.
func (m *Masker) process(data []byte, final bool) error {
	s := &m.stream
	mt := m.matcher()
	view, vm := s.viewOf(data, final)

	viewTail, rawTail := len(view), len(data) // where find saw a long tail begin a needle
	s.vspans, viewTail = mt.find(view, s.vspans[:0])
	spans := s.spans[:0]
	for _, sp := range s.vspans {
		spans = append(spans, span{vm.orig(sp.start), vm.orig(sp.end-1) + 1})
	}
	spans, pend, next, contFrom := m.patternSpans(view, vm, final, spans)
	raw := vm.stripped
	if raw {
		// A secret can also hide in the raw bytes, its first byte taken
		// for the end of an escape sequence (ESC [ 0 a…). (Also where
		// the view lacks only wrap breaks: the reference searches the
		// raw bytes of any input with an escape or a wrap break, which
		// is the same as searching those of every stripped buffer.)
		spans, rawTail = mt.find(data, spans)
	}

	// Bytes from hold on are not written yet: they may begin a secret (or
	// finish an escape sequence). Bytes from keep on stay buffered, written
	// or not, so that a trigger they begin ("glp", "://host") is found.
	hold, keep := len(data), len(data)
	if !final {
		hold = min(vm.at(mt.partial(view, 1, viewTail)), vm.at(pend.hold))
		if raw {
			// Back to a sequence boundary: the next write must parse the
			// kept bytes as this one did.
			hold = min(hold, vm.boundary(mt.partial(data, 1, rawTail)))
		}
		// An unfinished escape right before what is held stays held
		// too: should a [MASKED] follow it, emit takes it in.
		hold = unfinishedEscapeBefore(data[:hold])
		keep = min(hold, vm.at(m.trig.partial(view, 0)), vm.at(pend.keep))
		// A value not written yet must be found again: keep its trigger,
		// or for a value carried over, the carry.
		for _, p := range s.pspans {
			if p.end > p.start && vm.orig(p.start) >= hold {
				keep = min(keep, vm.at(p.trigger))
			}
		}
		restore := contFrom >= 0 && contFrom >= s.base+int64(hold)
		if restore {
			// The carried-over value is not written yet: the next write
			// finds it again from the same carry, so the carry's position
			// must stay in the buffer (escapes between it and the value
			// are written, but kept).
			next = s.carry
			keep = min(keep, int(next.at-s.base))
		}
		keep = wrapLineStart(data, keep, s.lineStart)
		if restore {
			next = s.widenCarry(next, vm, keep)
		}
	} else {
		tail := len(data)
		if vs := mt.partial(view, 8, viewTail); vs < len(view) {
			tail = vm.orig(vs)
		}
		if raw {
			tail = min(tail, mt.partial(data, 8, rawTail))
			tail = min(tail, tailBeforeEscape(mt, data))
		}
		if tail < len(data) {
			spans = append(spans, span{tail, len(data)})
		}
	}
	s.spans, s.carry = spans, next
	if keep > 0 {
		s.lineStart = data[keep-1] == '\n'
	}
	return s.emit(m.dst, data, spans, hold, keep)
}

// viewOf returns the view of data that needles are searched in: data
// without its escape sequences and wrap breaks, and without a line break
// at its end that the next write decides (see wrap.go); and the map back.
// A buffer with neither is its own view.
func (s *streamState) viewOf(data []byte, final bool) ([]byte, viewMap) {
	cut := len(data)
	if !final {
		cut = pendingBreak(data, s.lineStart)
	}
	s.breaks = wrapBreaks(data, s.lineStart, s.breaks[:0])
	hasEscape := bytes.IndexByte(data, esc) >= 0
	if !hasEscape && len(s.breaks) == 0 {
		return data[:cut], viewMap{end: cut}
	}
	vm := viewMap{stripped: true, end: len(data)}
	if hasEscape {
		s.view, s.pos, vm.end = stripEscapes(data, s.view, s.pos, final)
	} else {
		s.view, s.pos = append(s.view[:0], data...), s.pos[:0]
		for i := range data {
			s.pos = append(s.pos, int32(i))
		}
	}
	s.view, s.pos = unwrap(s.view, s.pos, s.breaks)
	if cut < vm.end {
		s.view, s.pos = cutView(s.view, s.pos, cut)
		vm.end = cut
	}
	vm.pos = s.pos
	return s.view, vm
}

// widenCarry: a value open at the end of this write whose trigger lies
// before keep (a long URL password around the carried token) is not
// found again by the next write, so the restored carry c takes its wider
// characters and its start.
func (s *streamState) widenCarry(c carry, vm viewMap, keep int) carry {
	for _, p := range s.pspans {
		if !p.open || vm.orig(p.trigger) >= keep || p.kind <= c.kind {
			continue
		}
		c.kind = p.kind
		if p.end > p.start {
			if from := s.base + int64(vm.orig(p.start)); c.from < 0 || from < c.from {
				c.from = from
			}
		}
	}
	return c
}

// tailBeforeEscape is the final tail check for a stream that ends inside
// an escape sequence ("…Sup3r-S3c\x1b["): at the end of the stream the
// unfinished sequence is plain text, which hides that the bytes before
// it begin a secret. It returns where a tail of 8 or more bytes before
// the sequence begins a needle (in the escape-free view), or len(data).
func tailBeforeEscape(mt *matcher, data []byte) int {
	view, pos, end := stripEscapes(data, nil, nil, false)
	if end == len(data) {
		return len(data)
	}
	_, found := mt.find(view, nil)
	if vs := mt.partial(view, 8, found); vs < len(view) {
		return int(pos[vs])
	}
	return len(data)
}

// patternSpans appends the values of token prefixes, query parameters and
// URL passwords, and the continuation of a value carried over from the
// last write. It returns what open URLs need kept and held, the carry for
// the next write, and where the carried-over value's span starts (-1:
// none).
func (m *Masker) patternSpans(view []byte, vm viewMap, final bool, spans []span) ([]span, pending, carry, int64) {
	s := &m.stream
	var pend pending
	s.pspans, pend = m.trig.find(view, final, s.pspans[:0])
	next, contFrom := carry{from: -1}, int64(-1)
	viewEnd := s.base + int64(vm.end)
	if c := s.carry; c.kind != 0 {
		ci := vm.index(int(c.at - s.base))
		e := valueEnd(view, ci, c.kind)
		from := c.from
		if from < 0 && e > ci {
			from = s.base + int64(vm.orig(ci))
		}
		if from >= 0 {
			// Also when the value ended right away: the part before this
			// write may not have been written out yet.
			spans = append(spans, span{int(from - s.base), vm.at(e)})
			contFrom = from
		}
		if e == len(view) && !final {
			next = carry{kind: c.kind, at: viewEnd, from: from}
		}
	}
	for _, p := range s.pspans {
		if p.end > p.start {
			end := vm.at(p.end) // a token takes the escapes up to what ends it
			if p.kind == authority {
				end = vm.orig(p.end)
			}
			spans = append(spans, span{vm.orig(p.start), end})
		}
		if p.open && !final {
			next.kind, next.at = max(next.kind, p.kind), viewEnd
			if p.end > p.start {
				from := s.base + int64(vm.orig(p.start))
				if next.from < 0 || from < next.from {
					next.from = from
				}
			}
		}
	}
	return spans, pend, next, contFrom
}

// emit writes data[:hold] with the spans that start before hold masked,
// and keeps data[keep:] (keep ≤ hold) for the next write. Spans may
// overlap, repeat, reach past hold, or start before what was already
// written (found again in kept bytes); the union of touching spans becomes
// one [MASKED].
func (s *streamState) emit(dst io.Writer, data []byte, spans []span, hold, keep int) error {
	slices.SortFunc(spans, compareSpans)
	out := s.out[:0]
	for _, sp := range spans {
		if sp.start >= hold {
			break // found again, whole, in a later write
		}
		a, b := s.base+int64(sp.start), s.base+int64(sp.end)
		if a > s.emitted {
			// Never a [MASKED] right after an unfinished escape sequence
			// (see unfinishedEscapeBefore).
			a = s.emitted + int64(unfinishedEscapeBefore(data[s.emitted-s.base:a-s.base]))
		}
		if a <= s.maskedEnd {
			s.maskedEnd = max(s.maskedEnd, b)
			s.emitted = max(s.emitted, b)
			continue
		}
		if a > s.emitted {
			out = append(out, data[s.emitted-s.base:a-s.base]...)
		}
		out = append(out, Mask...)
		s.maskedEnd = b
		s.emitted = max(s.emitted, b)
	}
	end := s.base + int64(hold)
	var err error
	switch {
	case len(out) == 0 && s.emitted < end:
		_, err = dst.Write(data[s.emitted-s.base : hold]) // nothing masked: no copy
		s.emitted = end
	case s.emitted < end:
		out = append(out, data[s.emitted-s.base:hold]...)
		s.emitted = end
	}
	if err == nil && len(out) > 0 {
		_, err = dst.Write(out)
	}
	s.out = out
	s.held = append(s.held[:0], data[keep:]...)
	s.base += int64(keep)
	s.err = err
	return err
}

func compareSpans(a, b span) int { return cmp.Compare(a.start, b.start) }

// unfinishedEscapeBefore returns where the ESCs, or the unfinished CSI
// ("ESC [" and parameter bytes), that b ends with begin, or len(b). A
// [MASKED] written after them would finish the sequence ("ESC [ M" is
// delete-line, "ESC [ [" swallows the bracket) and show mangled, so the
// [MASKED] takes them in.
func unfinishedEscapeBefore(b []byte) int {
	i := len(b)
	for i > 0 && b[i-1] >= 0x20 && b[i-1] <= 0x3f {
		i--
	}
	if i >= 2 && b[i-1] == '[' && b[i-2] == esc {
		i -= 2
	} else {
		i = len(b)
	}
	for i > 0 && b[i-1] == esc {
		i--
	}
	return i
}

// viewMap maps positions of the escape-stripped view back to the buffer.
type viewMap struct {
	stripped bool    // false: the view is the buffer
	pos      []int32 // when stripped: where each view byte is in the buffer
	end      int     // where the view ends in the buffer
}

func (v viewMap) orig(i int) int {
	if !v.stripped {
		return i
	}
	return int(v.pos[i])
}

// at is orig, extended to the end of the view.
func (v viewMap) at(i int) int {
	if !v.stripped {
		return min(i, v.end)
	}
	if i >= len(v.pos) {
		return v.end
	}
	return int(v.pos[i])
}

// index returns the first view position at or after buffer offset o.
func (v viewMap) index(o int) int {
	if !v.stripped {
		return min(o, v.end)
	}
	i, _ := slices.BinarySearch(v.pos, int32(o))
	return i
}

// boundary returns o, or if o lies inside an escape sequence the start of
// the run of sequences it belongs to.
func (v viewMap) boundary(o int) int {
	if !v.stripped || o >= v.end {
		return o // (an unfinished sequence at the end is held whole anyway)
	}
	j := v.index(o)
	if j < len(v.pos) && int(v.pos[j]) == o {
		return o
	}
	if j == 0 {
		return 0
	}
	return int(v.pos[j-1]) + 1
}
