// Package onewrite hands an HTTP/1.x answer to the kernel in one write.
//
// net/http writes a response through a 4 KiB buffer, so an answer larger
// than that leaves in two writes or more: the buffer (the head and the
// body's first bytes), then the rest. On loopback each write is a segment
// the kernel processes and a wake-up of the reader, and on a busy server
// the second one is about 4% of the CPU a nested page costs. A handler
// calls Hold before writing its answer and, once the answer is written
// and flushed, the function Hold returned: the connection keeps what it
// is given in between (up to maxHeld bytes) and writes it in one call.
package onewrite

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// Listen wraps ln so that its connections honour Expect. Serve it with an
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

// Hold starts holding back what r's connection is given, and returns
// done, which writes what was held, in one call, and ends the hold: call
// it once the answer is written and flushed, and in any case before the
// handler returns (deferred, so that a handler cut short still sends what
// it wrote). For a request not served by Listen, or over HTTP/2, whose
// connection carries many streams, it does nothing.
func Hold(r *http.Request) (done func() error) {
	if r.ProtoMajor != 1 {
		return nothing
	}
	c, ok := r.Context().Value(connKey{}).(*Conn)
	if !ok {
		return nothing
	}
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
	return c.release
}

func nothing() error { return nil }

// maxHeld bounds what a connection holds: past it, the bytes are written
// as they come.
const maxHeld = 256 << 10

// Conn is a connection from Listen.
type Conn struct {
	net.Conn
	mu      sync.Mutex
	holding bool
	held    *[]byte // what was held back, from buffers
}

// A connection closed while it holds bytes (its response cut short)
// leaves them to the collector: Close does not take c.mu, so that it never
// waits behind a write to a client that stopped reading.

// buffers hold what connections hold back during one response; a
// connection keeps none between responses.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// Write keeps p while the connection holds, and writes it at once
// otherwise, or when what is held would pass maxHeld.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding {
		return c.Conn.Write(p)
	}
	if c.held == nil {
		c.held = buffers.Get().(*[]byte)
	}
	if len(*c.held)+len(p) <= maxHeld {
		*c.held = append(*c.held, p...)
		return len(p), nil
	}
	c.holding = false
	err := c.flush()
	c.release0()
	if err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// flush writes what is held, if anything; c.mu is held.
func (c *Conn) flush() error {
	if c.held == nil || len(*c.held) == 0 {
		return nil
	}
	_, err := c.Conn.Write(*c.held)
	*c.held = (*c.held)[:0]
	return err
}

// release ends a hold, writing what it held.
func (c *Conn) release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holding = false
	err := c.flush()
	c.release0()
	return err
}

// release0 gives the buffer back; c.mu is held.
func (c *Conn) release0() {
	if c.held != nil {
		*c.held = (*c.held)[:0]
		buffers.Put(c.held)
		c.held = nil
	}
}
