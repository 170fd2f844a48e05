package graphhttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// eventRecorder records, in order, the writes and flushes of an answer.
type eventRecorder struct {
	*httptest.ResponseRecorder
	events *[]string
}

func (r eventRecorder) Write(p []byte) (int, error) {
	*r.events = append(*r.events, "write")
	return r.ResponseRecorder.Write(p)
}

func (r eventRecorder) Flush() {
	*r.events = append(*r.events, "flush")
	r.ResponseRecorder.Flush()
}

// TestHoldWrites: an answer is written and flushed between HoldWrites and
// the function it returns, so that the connection may send it, head and
// body, in one write; the answer is the same as without.
func TestHoldWrites(t *testing.T) {
	var events []string
	h := newTestHandler(t, nil, func(o *Options) {
		o.HoldWrites = func(*http.Request) func() error {
			events = append(events, "hold")
			return func() error { events = append(events, "done"); return nil }
		}
	})
	plain := serve(t, newTestHandler(t, nil, nil), post(q(okQuery)))
	rec := eventRecorder{httptest.NewRecorder(), &events}
	h.ServeHTTP(rec, post(q(okQuery)))
	if got, want := rec.Body.String(), string(plain.body); got != want {
		t.Fatalf("answer %q, want %q", got, want)
	}
	if want := []string{"hold", "write", "flush", "done"}; len(events) != len(want) ||
		events[0] != want[0] || events[1] != want[1] || events[2] != want[2] || events[3] != want[3] {
		t.Fatalf("events %v, want %v", events, want)
	}
}
