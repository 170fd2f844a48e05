package onewrite

import (
	"bytes"
	"context"
	"fmt"
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
		Hold(r, n)
		_, _ = w.Write(body)
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

// TestOneWritePerAnswer: an answer held with its length leaves in one
// write, head and body, whatever its size up to maxHeld; one written
// without leaves in several once larger than net/http's buffer, as
// before. Answers on one
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

func (f *fakeConn) Close() error { return nil }

func request(c *Conn) *http.Request {
	r, _ := http.NewRequestWithContext(ConnContext(context.Background(), c), http.MethodGet, "/", nil)
	return r
}

// headFor is a response head as net/http writes it, for a body of n
// bytes.
func headFor(n int) []byte {
	return fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: application/json\r\n\r\n", n)
}

// TestHeldUntilWhole: what a held connection is given is written once the
// head and the announced body have come, in one write, wherever the
// pieces split (the head's end across two writes too); the next response
// on the connection is not held.
func TestHeldUntilWhole(t *testing.T) {
	body := bytes.Repeat([]byte("b"), 10000)
	whole := append(headFor(len(body)), body...)
	for _, cuts := range [][]int{{4096}, {40}, {len(headFor(len(body))) - 2}, {10, 20, 4096, 9000}, {len(whole) - 1}} {
		f := &fakeConn{}
		c := &Conn{Conn: f}
		Hold(request(c), len(body))
		from := 0
		for _, to := range append(cuts, len(whole)) {
			if n, err := c.Write(whole[from:to]); n != to-from || err != nil {
				t.Fatalf("cuts %v: write %d..%d: %d, %v", cuts, from, to, n, err)
			}
			if to < len(whole) && len(f.writes) != 0 {
				t.Fatalf("cuts %v: written before the response was whole", cuts)
			}
			from = to
		}
		if len(f.writes) != 1 || !bytes.Equal(f.writes[0], whole) {
			t.Fatalf("cuts %v: %d writes, want the response in one", cuts, len(f.writes))
		}
		if _, err := c.Write([]byte("next")); err != nil || len(f.writes) != 2 {
			t.Fatalf("cuts %v: a write after the response was held", cuts)
		}
	}
}

// TestCloseWritesWhatIsHeld: a response cut short (fewer bytes than
// announced; net/http then closes the connection) is written when the
// connection closes.
func TestCloseWritesWhatIsHeld(t *testing.T) {
	f := &fakeConn{}
	c := &Conn{Conn: f}
	Hold(request(c), 10000)
	short := append(headFor(10000), "cut short"...)
	if _, err := c.Write(short); err != nil || len(f.writes) != 0 {
		t.Fatalf("%d writes, %v before the close", len(f.writes), err)
	}
	_ = c.Close()
	if len(f.writes) != 1 || !bytes.Equal(f.writes[0], short) {
		t.Fatalf("%d writes, want what was held in one", len(f.writes))
	}
}

// TestHoldIsBounded: past maxHeld, what is held is written, and the rest
// as it comes, in order.
func TestHoldIsBounded(t *testing.T) {
	f := &fakeConn{}
	c := &Conn{Conn: f}
	Hold(request(c), 5*maxHeld)
	var all []byte
	for i := 0; i < 5; i++ {
		p := bytes.Repeat([]byte{byte('a' + i)}, maxHeld/3)
		all = append(all, p...)
		if n, err := c.Write(p); n != len(p) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
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
	Hold(r, 10000)
	if _, err := c.Write(make([]byte, 100)); err != nil || len(f.writes) != 1 {
		t.Fatalf("HTTP/2 write held: %d writes", len(f.writes))
	}
}
