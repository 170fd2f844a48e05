package onewrite

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
)

// countingListener records the writes its connections are given.
type countingListener struct {
	net.Listener
	mu     sync.Mutex
	writes []int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

func (l *countingListener) taken() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.writes
	l.writes = nil
	return w
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.mu.Lock()
	c.l.writes = append(c.l.writes, len(p))
	c.l.mu.Unlock()
	return c.Conn.Write(p)
}

// wrapped stands for a wrapper between the server and a Conn (the
// connection limiter's), found through NetConn.
type wrapped struct{ net.Conn }

func (w wrapped) NetConn() net.Conn { return w.Conn }

type wrappingListener struct{ net.Listener }

func (l wrappingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return wrapped{c}, nil
}

// serve runs a server on 127.0.0.1 whose handler answers /N with N bytes,
// holding them unless the query has quiet, and returns its address and
// the record of its writes.
func serve(t *testing.T, wrap bool) (string, *countingListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	var l net.Listener = Listen(cl)
	if wrap {
		l = wrappingListener{l}
	}
	srv := &http.Server{ConnContext: ConnContext, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Path[1:])
		body := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
		w.Header().Set("Content-Length", strconv.Itoa(n))
		if r.URL.Query().Has("quiet") {
			_, _ = w.Write(body)
			return
		}
		done := Hold(r)
		_, _ = w.Write(body)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Error(err)
		}
		if err := done(); err != nil {
			t.Error(err)
		}
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), cl
}

func get(t *testing.T, c *http.Client, url string, n int) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
	if !bytes.Equal(b, want) {
		t.Fatalf("%s: got %d bytes, not the %d written", url, len(b), n)
	}
}

// TestOneWritePerAnswer: an answer written while its connection holds
// leaves in one write, head and body, whatever its size up to maxHeld;
// one written without leaves in several once larger than net/http's
// buffer, as before. Answers on one
// connection in turn each keep to their own bytes.
func TestOneWritePerAnswer(t *testing.T) {
	for _, wrap := range []bool{false, true} {
		base, cl := serve(t, wrap)
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		for _, n := range []int{1, 100, 3900, 4000, 4096, 4200, 8192, 12860, 20000, 65536, maxHeld - 1000} {
			get(t, c, base+"/"+strconv.Itoa(n), n)
			if w := cl.taken(); len(w) != 1 {
				t.Errorf("wrapped %v: a %d-byte answer took writes of %v, want one", wrap, n, w)
			}
		}
		get(t, c, base+"/12860?quiet", 12860)
		if w := cl.taken(); len(w) < 2 {
			t.Errorf("an answer not held took writes of %v: the test no longer sees the buffer it is about", w)
		}
	}
}

// fakeConn records writes without a network.
type fakeConn struct {
	net.Conn
	writes [][]byte
}

func (f *fakeConn) Write(p []byte) (int, error) {
	f.writes = append(f.writes, append([]byte(nil), p...))
	return len(p), nil
}

func request(c *Conn) *http.Request {
	r, _ := http.NewRequestWithContext(ConnContext(context.Background(), c), http.MethodGet, "/", nil)
	return r
}

// TestDoneWritesWhatIsHeld: what a handler wrote is written when done is
// called, whether or not the server flushed its buffer, and the next
// response on the connection is not held.
func TestDoneWritesWhatIsHeld(t *testing.T) {
	f := &fakeConn{}
	c := &Conn{Conn: f}
	done := Hold(request(c))
	for i, size := range []int{4096, 100, 150} {
		if n, err := c.Write(bytes.Repeat([]byte{byte('a' + i)}, size)); n != size || err != nil {
			t.Fatalf("held write %d: %d, %v", i, n, err)
		}
	}
	if len(f.writes) != 0 {
		t.Fatalf("written before done: %d writes", len(f.writes))
	}
	if err := done(); err != nil {
		t.Fatal(err)
	}
	want := string(bytes.Repeat([]byte{'a'}, 4096)) + string(bytes.Repeat([]byte{'b'}, 100)) + string(bytes.Repeat([]byte{'c'}, 150))
	if len(f.writes) != 1 || string(f.writes[0]) != want {
		t.Fatalf("done wrote %d writes, want the bytes held, in order, in one", len(f.writes))
	}
	if _, err := c.Write([]byte("next")); err != nil || len(f.writes) != 2 {
		t.Fatalf("a write after done was held: %d writes, %v", len(f.writes), err)
	}
}

// TestHoldIsBounded: past maxHeld, what is held is written, and the rest
// as it comes, in order.
func TestHoldIsBounded(t *testing.T) {
	f := &fakeConn{}
	c := &Conn{Conn: f}
	done := Hold(request(c))
	var all []byte
	for i := 0; i < 5; i++ {
		p := bytes.Repeat([]byte{byte('a' + i)}, maxHeld/3)
		all = append(all, p...)
		if n, err := c.Write(p); n != len(p) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	if err := done(); err != nil {
		t.Fatal(err)
	}
	if got := bytes.Join(f.writes, nil); !bytes.Equal(got, all) {
		t.Fatalf("%d bytes written, not the %d given in order", len(got), len(all))
	}
	for _, w := range f.writes {
		if len(w) > maxHeld {
			t.Fatalf("a write of %d bytes: more than maxHeld was held", len(w))
		}
	}
}

// TestHoldSkipsHTTP2: a connection that carries many streams holds
// nothing.
func TestHoldSkipsHTTP2(t *testing.T) {
	f := &fakeConn{}
	c := &Conn{Conn: f}
	r := request(c)
	r.ProtoMajor = 2
	done := Hold(r)
	defer done()
	if _, err := c.Write(make([]byte, 100)); err != nil || len(f.writes) != 1 {
		t.Fatalf("HTTP/2 write held: %d writes", len(f.writes))
	}
}
