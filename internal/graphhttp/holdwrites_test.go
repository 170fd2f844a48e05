package graphhttp

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// eventRecorder records, in order, the writes of an answer.
type eventRecorder struct {
	*httptest.ResponseRecorder
	events *[]string
}

func (r eventRecorder) Write(p []byte) (int, error) {
	*r.events = append(*r.events, "write")
	return r.ResponseRecorder.Write(p)
}

// TestHoldWrites: HoldWrites is told the body's length before the body is
// written, so that the connection may send the response, head and body,
// in one write once it is whole; the answer is the same as without.
func TestHoldWrites(t *testing.T) {
	var events []string
	h := newTestHandler(t, nil, func(o *Options) {
		o.HoldWrites = func(_ *http.Request, n int) { events = append(events, "hold "+strconv.Itoa(n)) }
	})
	plain := serve(t, newTestHandler(t, nil, nil), post(q(okQuery)))
	rec := eventRecorder{httptest.NewRecorder(), &events}
	h.ServeHTTP(rec, post(q(okQuery)))
	if got, want := rec.Body.String(), string(plain.body); got != want {
		t.Fatalf("answer %q, want %q", got, want)
	}
	if want := []string{"hold " + strconv.Itoa(len(plain.body)), "write"}; len(events) != len(want) || events[0] != want[0] || events[1] != want[1] {
		t.Fatalf("events %v, want %v", events, want)
	}
	if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(plain.body)) {
		t.Fatalf("Content-Length %s for a body of %d", cl, len(plain.body))
	}
}
