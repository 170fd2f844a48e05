package server

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The log writer loses no line and keeps each writer's lines in order;
// Close returns once all are written, and later lines go straight through.
func TestLogWriter(t *testing.T) {
	var out lockedBuffer
	w := newLogWriter(&out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				fmt.Fprintf(w, "g%d line %d\n", g, i)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8*500 {
		t.Fatalf("%d lines written, want %d", len(lines), 8*500)
	}
	next := map[string]int{}
	for _, l := range lines {
		var g string
		var i int
		if _, err := fmt.Sscanf(l, "%s line %d", &g, &i); err != nil || next[g] != i {
			t.Fatalf("line %q out of order or torn (want %s line %d)", l, g, next[g])
		}
		next[g]++
	}
	fmt.Fprintln(w, "after close")
	if !strings.HasSuffix(out.String(), "after close\n") {
		t.Errorf("a line written after Close is missing")
	}
}

// A line is written without waiting for more lines or for Close.
func TestLogWriterPrompt(t *testing.T) {
	var out lockedBuffer
	w := newLogWriter(&out)
	defer w.Close()
	fmt.Fprintln(w, "alone")
	for deadline := time.Now().Add(10 * time.Second); out.String() == ""; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a lone line was not written")
		}
	}
}

// slowBuffer takes its time over each write, so that lines pile up into
// batches while one is being written.
type slowBuffer struct{ lockedBuffer }

func (b *slowBuffer) Write(p []byte) (int, error) {
	time.Sleep(2 * time.Millisecond)
	return b.lockedBuffer.Write(p)
}

// A batch that grew past the size kept for reuse is not reused while the
// next one is queued: after a burst of long lines, short lines arrive
// whole, none lost or torn.
func TestLogWriterAfterLargeBatch(t *testing.T) {
	var out slowBuffer
	w := newLogWriter(&out)
	long := strings.Repeat("x", 2000)
	var want []string
	for i := range 600 { // about 1.2 MB: batches well over 256 KiB
		line := fmt.Sprintf("long %d %s", i, long)
		want = append(want, line)
		fmt.Fprintln(w, line)
	}
	for i := range 3000 {
		line := fmt.Sprintf("short %d", i)
		want = append(want, line)
		fmt.Fprintln(w, line)
		if i%100 == 0 {
			time.Sleep(time.Millisecond) // let batches turn over
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines written, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d is %.60q, want %.60q", i, got[i], want[i])
		}
	}
}
