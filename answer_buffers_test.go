package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// An executed answer is written into a buffer that the next operation
// reuses once the answer is sent (graph.WithAnswerBuffer), and the answer
// tree into slabs likewise. Requests of many sizes and shapes (pages of
// 1 to 12 nested episodes, single objects, errors; POST and GET, so that
// executed answers also go into the response cache) are sent from many
// goroutines at once, every request executed on one server and cached
// after its first answer on the other: each answer must be byte for byte
// the one the same request got alone, so no answer is ever written over
// by another operation, nor served from a buffer handed back.
func TestAnswerBuffersReusedSafely(t *testing.T) {
	type request struct {
		get  bool
		body string // POST body, or the GET query string
	}
	var reqs []request
	nested := `query($n: Int!) { episodes(first: $n) { totalCount nodes { code title releaseDate guests { name role organization episodes(first: 5) { nodes { code title } } } topics { name } } } }`
	for n := 1; n <= 12; n++ {
		reqs = append(reqs,
			request{body: fmt.Sprintf(`{"query":%q,"variables":{"n":%d}}`, nested, n)},
			request{get: true, body: url.Values{"query": {nested}, "variables": {fmt.Sprintf(`{"n":%d}`, n)}}.Encode()},
			request{body: fmt.Sprintf(`{"query":"{ episode(number: %d) { code title summary guests { name } topics { name } } }"}`, n)})
	}
	reqs = append(reqs,
		request{body: `{"query":"{ episodes(first: 3, after: \"not a cursor\") { nodes { code } } }"}`},
		request{body: `{"query":"{ nope }"}`},
		request{body: `{"query":"{ guests(first: 50) { totalCount nodes { slug name episodes(first: 20) { nodes { code title } } } } }"}`})

	// Loopback is exempt from the cost budget, whose remainder an answer
	// would otherwise carry.
	exempt := []string{"--rate-exempt", "127.0.0.1,::1"}
	for _, args := range [][]string{append([]string{"--response-cache", "0"}, exempt...), exempt} {
		t.Run(fmt.Sprintf("args %q", args), func(t *testing.T) {
			s := startServer(t, args...)
			send := func(r request) (string, error) {
				var resp *http.Response
				var err error
				if r.get {
					resp, err = http.Get(s.URL + "/graphql?" + r.body)
				} else {
					resp, err = http.Post(s.URL+"/graphql", "application/json", bytes.NewReader([]byte(r.body)))
				}
				if err != nil {
					return "", err
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				return fmt.Sprintf("%d %s", resp.StatusCode, b), err
			}
			want := make([]string, len(reqs))
			for i, r := range reqs {
				got, err := send(r)
				if err != nil {
					t.Fatal(err)
				}
				want[i] = got
			}
			if want[0] == want[len(want)-1] || len(want[11*3]) < 2000 {
				t.Fatalf("the requests do not differ in size as meant: %q", want[0])
			}
			var wg sync.WaitGroup
			errs := make(chan string, 16)
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range 150 {
						i := (w*31 + k*7) % len(reqs)
						got, err := send(reqs[i])
						if err != nil || got != want[i] {
							select {
							case errs <- fmt.Sprintf("request %d: err %v\ngot  %s\nwant %s", i, err, from(got, want[i]), from(want[i], got)):
							default:
							}
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
		})
	}
}

// from returns a from some bytes before where it first differs from b.
func from(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return fmt.Sprintf("…%.200s (at %d of %d)", a[max(i-40, 0):], i, len(a))
}
