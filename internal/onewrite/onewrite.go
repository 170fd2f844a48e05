// Package onewrite hands an HTTP/1.x answer to the kernel in one write.
//
// net/http writes a response through a 4 KiB buffer, so an answer larger
// than that leaves in two writes or more: the buffer (the head and the
// body's first bytes), then the rest. On loopback each write is a segment
// the kernel processes and a wake-up of the reader, and on a busy server
// the second one is about 4% of the CPU a nested page costs. A handler
// that knows its body's length calls Hold before writing the body: the
// connection then keeps what it is given until the whole response has
// come (the head, whose end it finds, and that many bytes of body) and
// writes it in one call. The last bytes come when net/http flushes its
// buffer after the handler (and every middleware around it) has returned,
// so a client has its answer only once the request is counted and logged,
// as without the hold.
package onewrite

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
)

// Listen wraps ln so that its connections honour Hold. Serve it with an
// http.Server whose ConnContext is ConnContext.
func Listen(ln net.Listener) net.Listener { return listener{ln} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c}, nil
}

type connKey struct{}

// ConnContext is an http.Server's ConnContext: it lets the requests of c
// find it, beneath wrappers that have a NetConn method (as tls.Conn).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	for {
		switch cc := c.(type) {
		case *Conn:
			return context.WithValue(ctx, connKey{}, cc)
		case interface{ NetConn() net.Conn }:
			c = cc.NetConn()
		default:
			return ctx
		}
	}
}

// Hold makes r's connection keep what it is given until the response
// whose body, bodyLen bytes, is about to be written has come whole, and
// write it then in one call. Call it before the first byte of the body is
// written, with the Content-Length the response declares. For a request
// not served by Listen, or over HTTP/2, whose connection carries many
// streams, it does nothing. Should the response never come whole (a
// handler cut short, after which net/http closes the connection), what
// is held is written when the connection closes.
func Hold(r *http.Request, bodyLen int) {
	if r.ProtoMajor != 1 || bodyLen < 0 {
		return
	}
	c, ok := r.Context().Value(connKey{}).(*Conn)
	if !ok {
		return
	}
	c.mu.Lock()
	c.holding, c.body, c.total = true, bodyLen, 0
	c.mu.Unlock()
}

// maxHeld bounds what a connection holds: past it, the bytes are written
// as they come.
const maxHeld = 256 << 10

// Conn is a connection from Listen.
type Conn struct {
	net.Conn
	mu      sync.Mutex
	holding bool
	body    int     // the held response's body length
	total   int     // its whole length, once its head's end is held; 0 before
	held    *[]byte // what was held back, from buffers
}

// buffers hold what connections hold back during one response; a
// connection keeps none between responses.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

var headEnd = []byte("\r\n\r\n")

// Write keeps p while the connection holds, and writes all it holds, in
// one call, once the response is whole (or what it holds would pass
// maxHeld); otherwise it writes p at once.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding {
		return c.Conn.Write(p)
	}
	if c.held == nil {
		c.held = buffers.Get().(*[]byte)
	}
	if len(*c.held)+len(p) > maxHeld {
		err := c.release()
		if err != nil {
			return 0, err
		}
		return c.Conn.Write(p)
	}
	before := len(*c.held)
	*c.held = append(*c.held, p...)
	if c.total == 0 {
		// The head's end may straddle two writes: look from a little
		// before what was added.
		from := max(before-len(headEnd)+1, 0)
		if i := bytes.Index((*c.held)[from:], headEnd); i >= 0 {
			c.total = from + i + len(headEnd) + c.body
		}
	}
	if c.total > 0 && len(*c.held) >= c.total {
		if err := c.release(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Close writes what is held, then closes.
func (c *Conn) Close() error {
	if c.mu.TryLock() {
		// A write in progress (to a client that stopped reading) must
		// not keep Close waiting: then what is held is left.
		if c.holding {
			_ = c.release()
		}
		c.mu.Unlock()
	}
	return c.Conn.Close()
}

// release ends the hold, writing what was held in one call; c.mu is held.
func (c *Conn) release() error {
	c.holding, c.total = false, 0
	if c.held == nil {
		return nil
	}
	var err error
	if len(*c.held) > 0 {
		_, err = c.Conn.Write(*c.held)
	}
	*c.held = (*c.held)[:0]
	buffers.Put(c.held)
	c.held = nil
	return err
}
