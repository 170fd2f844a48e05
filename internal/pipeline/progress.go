package pipeline

import (
	"sync"
	"time"
)

// Progress follows a long ingest as Files (or the ingest command's client
// of a server) does it, for whoever shows it: the ingest command's
// progress line, serve's log and /readyz. It is safe
// for concurrent use; the zero value is ready, and a nil *Progress ignores
// what it is told.
type Progress struct {
	mu      sync.Mutex
	started bool
	start   time.Time
	total   int
	done    int
	marks   []progressMark // (time, done) over the last rateWindow, oldest first
}

// progressMark is how many documents were done at a moment.
type progressMark struct {
	at   time.Time
	done int
}

// rateWindow is the span the rate is measured over: long enough to smooth
// the steps of batched commits, short enough to follow a change of pace
// (files known unchanged go by much faster than files read).
const rateWindow = 10 * time.Second

// ProgressState is how far an ingest is at one moment.
type ProgressState struct {
	// Started is false until Files has listed what it will do.
	Started     bool
	Done, Total int
	Elapsed     time.Duration
	// Rate is documents per second over about the last 10 seconds; 0
	// before any document is done.
	Rate float64
	// Left is the time the rest should take at Rate; 0 when unknown.
	Left time.Duration
}

// Percent returns the share of documents done, 0 to 100 (100 when there
// is nothing to do).
func (s ProgressState) Percent() float64 {
	if s.Total == 0 {
		return 100
	}
	return 100 * float64(s.Done) / float64(s.Total)
}

// Begin starts following a run of total documents (Files calls it).
func (p *Progress) Begin(total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.started, p.start, p.total, p.done = true, now, total, 0
	p.marks = append(p.marks[:0], progressMark{now, 0})
}

// Add counts n more documents done (Files calls it).
func (p *Progress) Add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.done += n
	p.marks = append(p.marks, progressMark{now, p.done})
	// Keep one mark at or before the window's start, to measure from.
	for len(p.marks) > 2 && !p.marks[1].at.After(now.Add(-rateWindow)) {
		p.marks = p.marks[1:]
	}
}

// State returns how far the run is now.
func (p *Progress) State() ProgressState {
	if p == nil {
		return ProgressState{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stateAt(time.Now())
}

func (p *Progress) stateAt(now time.Time) ProgressState {
	s := ProgressState{Started: p.started, Done: p.done, Total: p.total}
	if !p.started {
		return s
	}
	s.Elapsed = now.Sub(p.start)
	from := p.marks[0]
	if span := now.Sub(from.at).Seconds(); span > 0 && p.done > from.done {
		s.Rate = float64(p.done-from.done) / span
		s.Left = time.Duration(float64(p.total-p.done) / s.Rate * float64(time.Second))
	}
	return s
}
