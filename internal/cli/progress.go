package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/term"

	"podcastgraph/internal/pipeline"
)

// progressEvery is how often the progress line is redrawn.
const progressEvery = 200 * time.Millisecond

// Terminal control: back to the line's start, and erase to its end.
const (
	lineStart = "\r"
	eraseLine = "\x1b[K"
)

// showProgress draws p as one updating line on the standard error when it
// is a terminal (and $TERM is not "dumb"), until stop, which erases it. The
// report goes to the writer it returns: stdout itself, or, when stdout is
// a terminal too, stdout behind a writer that erases the line before each
// write, so that the report's lines never land on it (it is redrawn at
// the next tick). When the standard error is not a terminal (a file, a
// pipe, a test's buffer) it draws nothing and returns stdout as it is.
func showProgress(env *Env, p *pipeline.Progress, stdout io.Writer) (out io.Writer, stop func()) {
	tty, ok := terminal(env.Stderr)
	if !ok || env.Getenv("TERM") == "dumb" {
		return stdout, func() {}
	}
	l := &progressLine{w: tty, fd: int(tty.Fd())}
	if _, ok := terminal(stdout); ok {
		stdout = &erasingWriter{w: stdout, line: l}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if s := p.State(); s.Started {
					l.draw(s)
				}
			}
		}
	}()
	return stdout, func() {
		close(done)
		<-stopped
		l.erase()
	}
}

// terminal returns w as a file when it is a terminal.
func terminal(w io.Writer) (*os.File, bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	return f, true
}

// progressLine is the line on the terminal: drawn or not.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	fd    int
	drawn bool
}

func (l *progressLine) draw(s pipeline.ProgressState) {
	text := renderProgress(s)
	if width, _, err := term.GetSize(l.fd); err == nil && width > 1 && len(text) >= width {
		text = text[:width-1] // a wrapped line cannot be redrawn in place
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, lineStart+text+eraseLine)
	l.drawn = true
}

// erase removes the line, if drawn; the caller holds l.mu.
func (l *progressLine) eraseLocked() {
	if l.drawn {
		_, _ = io.WriteString(l.w, lineStart+eraseLine)
		l.drawn = false
	}
}

func (l *progressLine) erase() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.eraseLocked()
}

// erasingWriter erases the progress line before each write to the same
// terminal, and holds it off while writing.
type erasingWriter struct {
	w    io.Writer
	line *progressLine
}

func (e *erasingWriter) Write(b []byte) (int, error) {
	e.line.mu.Lock()
	defer e.line.mu.Unlock()
	e.line.eraseLocked()
	return e.w.Write(b)
}

// renderProgress is the text of the progress line, such as
// "ingest: 12,288 / 100,000 documents (12.2%), 5,120 docs/s, 17s left".
// The rate and the time left appear once known.
func renderProgress(s pipeline.ProgressState) string {
	// A tenth of a percent, rounded down: 100% only when done.
	text := fmt.Sprintf("ingest: %s / %s documents (%.1f%%)", thousands(s.Done), thousands(s.Total),
		math.Floor(s.Percent()*10)/10)
	if s.Rate > 0 {
		text += fmt.Sprintf(", %s docs/s", thousands(int(s.Rate+0.5)))
		if s.Done < s.Total {
			text += ", " + remaining(s.Left) + " left"
		}
	}
	return text
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// remaining writes a time left as a terminal tool would: "45s", "3m05s",
// "2h07m".
func remaining(d time.Duration) string {
	secs := int(d.Round(time.Second).Seconds())
	switch {
	case secs < 60:
		return fmt.Sprintf("%ds", secs)
	case secs < 3600:
		return fmt.Sprintf("%dm%02ds", secs/60, secs%60)
	default:
		return fmt.Sprintf("%dh%02dm", secs/3600, secs/60%60)
	}
}
