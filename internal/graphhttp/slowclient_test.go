package graphhttp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
)

// bigData is a JSON object of about n bytes.
func bigData(n int) []byte {
	return []byte(`{"s":"` + strings.Repeat("x", n) + `"}`)
}

// dataHandler serves testSchema; every operation answers data. execs
// counts the operations executed.
func dataHandler(data []byte, execs *atomic.Int64, configure func(*Options)) http.Handler {
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			if execs != nil {
				execs.Add(1)
			}
			return graphql.OneShot(&graphql.Response{Data: data})
		},
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) { return 0, false },
	})
	o := Defaults()
	o.Rate = 0
	configure(&o)
	return New(srv, o)
}

// syncLog is a log sink safe for the server's goroutines.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *syncLog) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// rawPost sends a query on a connection with a tiny receive buffer and
// reads the answer's header; the body is left in the connection.
func rawPost(t *testing.T, addr, query string) (net.Conn, *http.Response) {
	t.Helper()
	d := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) }); err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body := q(query)
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body)
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4096), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return conn, resp
}

// A client that stops reading is cut off once it has accepted nothing for
// WriteStallTimeout, and the handler returns: it does not wait for the
// client, or for the server's WriteTimeout (none here).
func TestWriteStallCutsOffClient(t *testing.T) {
	logs := &syncLog{}
	h := dataHandler(bigData(32<<20), nil, func(o *Options) {
		o.MaxResponseBytes = 0
		o.WriteStallTimeout = 300 * time.Millisecond
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	returned := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	defer srv.Close()
	conn, resp := rawPost(t, srv.Listener.Addr().String(), okQuery)
	defer conn.Close() // before srv.Close, which waits for the handler
	if resp.StatusCode != http.StatusOK || resp.ContentLength < 32<<20 {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, resp.ContentLength)
	}
	select {
	case <-returned:
	case <-time.After(60 * time.Second):
		t.Fatal("the handler is still writing to a client that reads nothing")
	}
	if !strings.Contains(logs.String(), "answer not delivered") || !strings.Contains(logs.String(), "level=DEBUG") {
		t.Errorf("the cut-off was not logged at debug level: %q", logs.String())
	}
}

// A client that keeps reading, slowly, gets its whole answer, though that
// takes far longer than WriteStallTimeout: the deadline is per chunk.
func TestWriteStallAllowsSlowReader(t *testing.T) {
	const size = 3 << 20
	h := dataHandler(bigData(size), nil, func(o *Options) { o.WriteStallTimeout = 1 * time.Second })
	srv := httptest.NewUnstartedServer(h)
	srv.Config.WriteTimeout = 5 * time.Minute
	srv.Start()
	defer srv.Close()
	_, resp := rawPost(t, srv.Listener.Addr().String(), okQuery)
	start := time.Now()
	buf := make([]byte, 64<<10)
	got := 0
	for {
		n, err := io.ReadFull(resp.Body, buf)
		got += n
		if err != nil {
			break
		}
		time.Sleep(40 * time.Millisecond)
	}
	if int64(got) != resp.ContentLength || got < size {
		t.Fatalf("got %d of %d bytes", got, resp.ContentLength)
	}
	t.Logf("read %d bytes in %v", got, time.Since(start))
}

// Executed is called once the answer is in memory and before any byte of
// it is written; not for an answer from the response cache.
func TestExecutedBeforeWriting(t *testing.T) {
	var gen atomic.Uint64
	var w *watchWriter
	calls := 0
	h := dataHandler(bigData(1000), nil, func(o *Options) {
		o.Generation = func() (uint64, error) { return gen.Load(), nil }
		o.Executed = func(ctx context.Context) {
			calls++
			if w.wrote {
				t.Error("Executed was called after the answer was written")
			}
		}
	})
	for range 2 {
		w = &watchWriter{ResponseRecorder: httptest.NewRecorder()}
		h.ServeHTTP(w, post(q(okQuery)))
		if w.Code != http.StatusOK || w.Body.Len() < 1000 {
			t.Fatalf("status %d, %d bytes", w.Code, w.Body.Len())
		}
	}
	if calls != 1 {
		t.Errorf("Executed called %d times for one execution and one cache hit", calls)
	}
}

type watchWriter struct {
	*httptest.ResponseRecorder
	wrote bool
}

func (w *watchWriter) WriteHeader(code int) { w.wrote = true; w.ResponseRecorder.WriteHeader(code) }
func (w *watchWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseRecorder.Write(b)
}

// Data over MaxResponseBytes from an executor that does not stop at the
// limit itself is refused before it is written, and not cached.
func TestMaxResponseBytes(t *testing.T) {
	var gen atomic.Uint64
	var execs atomic.Int64
	h := dataHandler(bigData(2000), &execs, func(o *Options) {
		o.Generation = func() (uint64, error) { return gen.Load(), nil }
		o.MaxResponseBytes = 1000
	})
	for i := range 2 {
		a := serve(t, h, post(q(okQuery)))
		if a.code() != CodeResponseTooLarge || a.Data != nil || !strings.Contains(a.Errors[0].Message, "1000 bytes") {
			t.Fatalf("status %d, code %q, %d bytes of data, errors %+v", a.status, a.code(), len(a.Data), a.Errors)
		}
		if execs.Load() != int64(i+1) {
			t.Errorf("request %d: %d executions; an error answer was cached", i, execs.Load())
		}
	}
	g := serve(t, h, get(map[string][]string{"query": {okQuery}}, "Accept", gr))
	if g.code() != CodeResponseTooLarge || g.header.Get("ETag") != "" || g.header.Get("Cache-Control") != "no-store" || g.status != http.StatusBadRequest {
		t.Errorf("GET: status %d, code %q, ETag %q, Cache-Control %q", g.status, g.code(), g.header.Get("ETag"), g.header.Get("Cache-Control"))
	}
	small := dataHandler(bigData(900), nil, func(o *Options) { o.MaxResponseBytes = 1000 })
	if a := serve(t, small, post(q(okQuery))); a.code() != "" || len(a.Data) < 900 {
		t.Errorf("under the limit: code %q, %d bytes", a.code(), len(a.Data))
	}
}
