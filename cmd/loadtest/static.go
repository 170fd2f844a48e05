package main

import (
	"io"
	"net"
	"net/http"
	"sync/atomic"
)

// staticServer answers every POST with fixed bytes, as the server answers
// one request: the least that serving a cached answer can cost.
type staticServer struct {
	srv    *http.Server
	url    string
	body   atomic.Pointer[[]byte]
	header atomic.Pointer[http.Header]
}

func startStatic() (*staticServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &staticServer{url: "http://" + ln.Addr().String()}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		for k, v := range *s.header.Load() {
			h[k] = v
		}
		_, _ = w.Write(*s.body.Load())
	})}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// copyAnswer makes the static server answer with what the server answers
// body (compressed as -compress asks), and with its entity headers.
func (s *staticServer) copyAnswer(cfg *config, client *http.Client, url string, body []byte) error {
	resp, err := client.Do(newRequest(cfg, url, body))
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Encoding", "Content-Length", "Vary"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	s.body.Store(&b)
	s.header.Store(&h)
	return nil
}
