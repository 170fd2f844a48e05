package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"podcastgraph/internal/fetch"
)

// server is a local test server counting the requests it answers.
type server struct {
	*httptest.Server
	hits atomic.Int64
}

func serve(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// local is a fetcher allowed to reach the test servers on 127.0.0.1.
func local(cfg fetch.Config) *fetch.Fetcher {
	cfg.AllowPrivate = true
	return fetch.New(cfg)
}

// wantErr checks that err is a *fetch.Error naming url and saying want.
func wantErr(t *testing.T, err error, url, want string) {
	t.Helper()
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want a *fetch.Error saying %q", err, err, want)
	}
	if fe.URL != url || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %q, want it to name %s and say %q", err, url, want)
	}
	for _, internal := range []string{"dial tcp", "lookup ", "read tcp", "net/http", "127.0.0.1:"} {
		if strings.Contains(fe.Reason, internal) {
			t.Errorf("reason %q leaks %q", fe.Reason, internal)
		}
	}
}

func TestGet(t *testing.T) {
	var ua string
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Wed, 02 Dec 2026 10:00:00 GMT")
		fmt.Fprint(w, "DOP 1: hello")
	})
	res, err := local(fetch.Config{}).Get(context.Background(), s.URL+"/feed", fetch.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != "DOP 1: hello" || res.NotModified || res.Validators.ETag != `"v1"` ||
		res.Validators.LastModified != "Wed, 02 Dec 2026 10:00:00 GMT" || res.URL != s.URL+"/feed" {
		t.Fatalf("got %+v", res)
	}
	if !strings.HasPrefix(ua, "podcastgraph/") {
		t.Errorf("User-Agent %q does not name the project", ua)
	}
}

func TestSchemes(t *testing.T) {
	f := fetch.New(fetch.Config{})
	for _, c := range []struct{ url, want string }{
		{"file:///etc/passwd", `scheme "file"`},
		{"ftp://example.com/feed.xml", `scheme "ftp"`},
		{"gopher://example.com/", `scheme "gopher"`},
		{"javascript:alert(1)", `scheme "javascript"`},
		{"/relative/feed.xml", `scheme ""`},
		{"http://", "no host"},
		{"https://user:secret@example.com/feed", "credentials"},
		{"http://exa mple.com/", "not a valid URL"},
	} {
		t.Run(c.url, func(t *testing.T) {
			_, err := f.Get(context.Background(), c.url, fetch.Validators{})
			wantErr(t, err, c.url, c.want)
			if fetch.Check(c.url) == nil {
				t.Error("Check accepted it")
			}
		})
	}
}

// Without the operator's leave, nothing on loopback is reached, by IP
// literal or by a name resolving to it; the check is on the address
// dialled, so it holds after a redirect too.
func TestPrivateRefused(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") })
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	f := fetch.New(fetch.Config{})
	for _, u := range []string{
		s.URL + "/x",
		"http://localhost:" + port + "/x",
		"http://[::ffff:127.0.0.1]:" + port + "/x",
	} {
		t.Run(u, func(t *testing.T) {
			_, err := f.Get(context.Background(), u, fetch.Validators{})
			wantErr(t, err, u, "loopback address")
			if !strings.Contains(err.Error(), "--fetch-allow-private") {
				t.Errorf("%v does not say how to allow it", err)
			}
		})
	}
	if n := s.hits.Load(); n != 0 {
		t.Fatalf("the refused fetches reached the server %d times", n)
	}
	// Allowed, the same URL is fetched.
	if _, err := local(fetch.Config{}).Get(context.Background(), s.URL+"/x", fetch.Validators{}); err != nil {
		t.Fatal(err)
	}
}

func TestBlocked(t *testing.T) {
	for _, c := range []struct{ ip, kind string }{
		{"127.0.0.1", "loopback"}, {"127.3.2.1", "loopback"}, {"::1", "loopback"},
		{"10.1.2.3", "private"}, {"172.16.0.1", "private"}, {"192.168.1.1", "private"}, {"fd00::1", "private"},
		{"fc00::1", "private"}, {"fd00:ec2::254", "private"}, // AWS's IPv6 metadata
		{"169.254.169.254", "link-local"}, {"fe80::1", "link-local"},
		{"100.64.0.1", "CGNAT"}, {"100.100.100.200", "CGNAT"},
		{"0.0.0.0", "unspecified"}, {"::", "unspecified"}, {"0.1.2.3", "this-network"},
		{"224.0.0.1", "multicast"}, {"ff02::1", "multicast"}, {"255.255.255.255", "reserved"},
		{"::ffff:10.0.0.1", "private"}, {"::ffff:169.254.169.254", "link-local"},
		{"64:ff9b::7f00:1", "loopback"}, {"64:ff9b::a9fe:a9fe", "link-local"}, {"2002:7f00:1::", "loopback"},
		{"::127.0.0.1", "loopback"}, {"::ffff:0:a00:1", "private"}, {"64:ff9b:1::a00:1", "local NAT64"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"}, {"198.51.100.7", "documentation"}, {"203.0.113.9", "documentation"},
		{"192.0.2.1", "documentation"}, {"192.88.99.1", "6to4 relay"},
		{"8.8.8.8", ""}, {"1.1.1.1", ""}, {"2606:4700:4700::1111", ""}, {"64:ff9b::808:808", ""}, {"172.32.0.1", ""},
	} {
		if got := fetch.Blocked(netip.MustParseAddr(c.ip)); got != c.kind {
			t.Errorf("Blocked(%s) = %q, want %q", c.ip, got, c.kind)
		}
	}
}

func TestRedirects(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/hop/"):
			var n int
			fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
			if n == 0 {
				fmt.Fprint(w, "arrived")
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusMovedPermanently)
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.com/feed", http.StatusFound)
		case r.URL.Path == "/file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		}
	})
	f := local(fetch.Config{})
	ctx := context.Background()
	t.Run("loop", func(t *testing.T) {
		before := s.hits.Load()
		_, err := f.Get(ctx, s.URL+"/loop", fetch.Validators{})
		wantErr(t, err, s.URL+"/loop", "more than 5 redirects")
		if n := s.hits.Load() - before; n != 6 {
			t.Errorf("%d requests for a redirect loop, want 6 (the first and 5 redirects)", n)
		}
	})
	t.Run("five", func(t *testing.T) {
		res, err := f.Get(ctx, s.URL+"/hop/5", fetch.Validators{})
		if err != nil || string(res.Body) != "arrived" || res.URL != s.URL+"/hop/0" {
			t.Fatalf("5 redirects: %v %+v", err, res)
		}
	})
	t.Run("six", func(t *testing.T) {
		_, err := f.Get(ctx, s.URL+"/hop/6", fetch.Validators{})
		wantErr(t, err, s.URL+"/hop/6", "more than 5 redirects")
	})
	t.Run("fewer allowed", func(t *testing.T) {
		_, err := local(fetch.Config{MaxRedirects: 2}).Get(ctx, s.URL+"/hop/3", fetch.Validators{})
		wantErr(t, err, s.URL+"/hop/3", "more than 2 redirects")
	})
	for _, p := range []string{"/ftp", "/file"} {
		t.Run(p, func(t *testing.T) {
			_, err := f.Get(ctx, s.URL+p, fetch.Validators{})
			wantErr(t, err, s.URL+p, "only http and https")
		})
	}
}

func TestSizeLimit(t *testing.T) {
	const limit = 1000
	big := bytes.Repeat([]byte("x"), limit+1)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(bytes.Repeat([]byte("y"), 100*limit))
	zw.Close()
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Write(big) // with Content-Length
		case "/chunked":
			for range limit + 1 {
				w.Write([]byte("x"))
				w.(http.Flusher).Flush()
			}
		case "/bomb":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		case "/exact":
			w.Write(big[:limit])
		case "/gzip":
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write([]byte("small and zipped"))
			zw.Close()
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(b.Bytes())
		}
	})
	f := local(fetch.Config{MaxBytes: limit})
	ctx := context.Background()
	for _, c := range []struct{ path, want string }{
		{"/length", "body of 1001 bytes is over the 1000-byte limit"},
		{"/chunked", "body is over the 1000-byte limit"},
		{"/bomb", "body is over the 1000-byte limit"},
	} {
		t.Run(c.path, func(t *testing.T) {
			res, err := f.Get(ctx, s.URL+c.path, fetch.Validators{})
			wantErr(t, err, s.URL+c.path, c.want)
			if res != nil {
				t.Errorf("returned %d bytes with the error", len(res.Body))
			}
		})
	}
	if res, err := f.Get(ctx, s.URL+"/exact", fetch.Validators{}); err != nil || len(res.Body) != limit {
		t.Fatalf("a body at the limit: %v", err)
	}
	if res, err := f.Get(ctx, s.URL+"/gzip", fetch.Validators{}); err != nil || string(res.Body) != "small and zipped" {
		t.Fatalf("gzip: %v %q", err, res.Body)
	}
}

// A server that never answers, or trickles its body a byte at a time, is
// given up on at the limits, and the fetch says which one.
func TestSlow(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/silent":
			<-r.Context().Done()
		case "/trickle":
			w.Header().Set("Content-Length", "1000000")
			w.WriteHeader(http.StatusOK)
			for {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
	})
	ctx := context.Background()
	t.Run("headers", func(t *testing.T) {
		_, err := local(fetch.Config{HeaderTimeout: 200 * time.Millisecond}).Get(ctx, s.URL+"/silent", fetch.Validators{})
		wantErr(t, err, s.URL+"/silent", "no response headers within 200ms")
	})
	t.Run("trickle", func(t *testing.T) {
		_, err := local(fetch.Config{Timeout: 300 * time.Millisecond}).Get(ctx, s.URL+"/trickle", fetch.Validators{})
		wantErr(t, err, s.URL+"/trickle", "not done within 300ms")
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := local(fetch.Config{}).Get(ctx, s.URL+"/silent", fetch.Validators{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want it to wrap context.Canceled", err)
		}
	})
}

func TestConditional(t *testing.T) {
	const etag, lm = `"abc"`, "Wed, 02 Dec 2026 10:00:00 GMT"
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/liar" || r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lm {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		fmt.Fprint(w, "body")
	})
	f := local(fetch.Config{})
	ctx := context.Background()
	for _, v := range []fetch.Validators{{ETag: etag}, {LastModified: lm}} {
		res, err := f.Get(ctx, s.URL+"/feed", v)
		if err != nil || !res.NotModified || len(res.Body) != 0 || res.Validators != v {
			t.Fatalf("with %+v: %v %+v", v, err, res)
		}
	}
	res, err := f.Get(ctx, s.URL+"/feed", fetch.Validators{ETag: `"old"`})
	if err != nil || res.NotModified || string(res.Body) != "body" || res.Validators.ETag != etag {
		t.Fatalf("stale validator: %v %+v", err, res)
	}
	_, err = f.Get(ctx, s.URL+"/liar", fetch.Validators{})
	wantErr(t, err, s.URL+"/liar", "not conditional")
}

func TestStatusAndConnection(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	f := local(fetch.Config{})
	ctx := context.Background()
	_, err := f.Get(ctx, s.URL+"/gone", fetch.Validators{})
	wantErr(t, err, s.URL+"/gone", "HTTP 404 Not Found")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/feed"
	ln.Close()
	_, err = f.Get(ctx, closed, fetch.Validators{})
	wantErr(t, err, closed, "connection refused")

	_, err = f.Get(ctx, "http://no-such-host.invalid/feed", fetch.Validators{})
	wantErr(t, err, "http://no-such-host.invalid/feed", "host not found")
}

// A redirect is checked again where it leads: a "public" server (127.0.0.1,
// treated as public here) redirecting to a private one (127.0.0.2) is
// refused when the second connection is dialled, and the private server
// never sees a request.
func TestRedirectToPrivateRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 here: %v", err)
	}
	var privateHits atomic.Int64
	private := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		privateHits.Add(1)
		fmt.Fprint(w, "internal secrets")
	})}}
	private.Start()
	defer private.Close()
	public := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, private.URL+"/latest/meta-data/", http.StatusFound)
	})
	f := fetch.NewWithBlocked(fetch.Config{}, func(ip netip.Addr) string {
		if ip == netip.MustParseAddr("127.0.0.1") {
			return ""
		}
		return fetch.Blocked(ip)
	})
	_, err = f.Get(context.Background(), public.URL+"/feed", fetch.Validators{})
	wantErr(t, err, public.URL+"/feed", "refused: the host is at a loopback address")
	if public.hits.Load() != 1 || privateHits.Load() != 0 {
		t.Fatalf("public answered %d, private %d requests; want 1 and 0", public.hits.Load(), privateHits.Load())
	}
}

// TLS failures say what is wrong with the server, in words.
func TestTLSFailures(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") }))
	defer tlsSrv.Close()
	plain := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") })
	f := local(fetch.Config{})
	ctx := context.Background()
	_, err := f.Get(ctx, tlsSrv.URL+"/feed", fetch.Validators{})
	wantErr(t, err, tlsSrv.URL+"/feed", "TLS certificate not valid for the host")
	https := "https://" + strings.TrimPrefix(plain.URL, "http://") + "/feed"
	_, err = f.Get(ctx, https, fetch.Validators{})
	wantErr(t, err, https, "the server does not speak TLS")
}
