package server

import (
	"io"
	"sync"
)

// logWriter hands log lines to a goroutine of its own, which writes
// whatever has arrived in one write: a line is written as soon as that
// goroutine runs, with no timer, and under load a batch of lines costs one
// system call instead of one each, made outside the logger's lock. Close
// writes what is left and stops the goroutine.
type logWriter struct {
	out io.Writer

	mu      sync.Mutex
	queued  []byte
	closed  bool
	wake    chan struct{} // one pending signal at most
	stopped chan struct{}
}

func newLogWriter(out io.Writer) *logWriter {
	w := &logWriter{out: out, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go w.loop()
	return w
}

// Write queues p; after Close it writes p itself.
func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		defer w.mu.Unlock()
		return w.out.Write(p)
	}
	w.queued = append(w.queued, p...)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (w *logWriter) loop() {
	defer close(w.stopped)
	var spare []byte
	for range w.wake {
		w.mu.Lock()
		b := w.queued
		w.queued = spare[:0]
		closed := w.closed
		if !closed {
			w.mu.Unlock()
		}
		if len(b) > 0 {
			_, _ = w.out.Write(b) // nowhere to report a failing log
		}
		if closed {
			w.mu.Unlock() // held, so that writes after Close come after these
			return
		}
		// b is free again: keep it for the next batch unless it grew
		// large. Never keep the array w.queued now holds (spare's last
		// value), or the next batch would be appended over the bytes
		// being written.
		if cap(b) <= 256<<10 {
			spare = b
		} else {
			spare = nil
		}
	}
}

// Close writes the lines still queued and returns once they are written.
func (w *logWriter) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	select { // a signal still pending does as well: the loop sees closed after it
	case w.wake <- struct{}{}:
	default:
	}
	<-w.stopped
	return nil
}
