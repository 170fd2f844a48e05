package server

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// headerAllowance is what a request's header fields may take besides the
// request line.
const headerAllowance = 64 << 10

// maxHeaderBytes bounds a request's head (request line and header fields);
// larger ones are answered 431 by net/http before any handler runs. A GET
// carries its query in the request line, so the bound leaves room for a
// query string of --max-body bytes (which the GraphQL endpoint answers 414
// beyond); the header fields get 64 KiB.
func (cfg *Config) maxHeaderBytes() int {
	if cfg.API.MaxBody <= 0 || cfg.API.MaxBody > 8<<20 {
		return headerAllowance + 1<<20
	}
	return headerAllowance + int(cfg.API.MaxBody)
}

// writeTimeout is the deadline for writing one answer: --write-timeout, or
// the query timeout plus a minute.
func (cfg *Config) writeTimeout() time.Duration {
	if cfg.WriteTimeout > 0 {
		return cfg.WriteTimeout
	}
	return cfg.QueryTimeout + 60*time.Second
}

// connLimiter caps a listener's open connections at max. When the cap is
// reached, Accept first closes the connection idle the longest between
// keep-alive requests (its client reconnects when it needs to), and
// otherwise waits for one to close; new connections wait in the kernel's
// backlog meanwhile.
type connLimiter struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	once  sync.Once

	mu   sync.Mutex
	idle map[net.Conn]time.Time // connections between requests, and since when
}

// limitConnections wraps ln; max <= 0 returns ln unchanged and a nil hook.
// The hook goes into http.Server.ConnState, which tells the limiter which
// connections are idle.
func limitConnections(ln net.Listener, max int) (net.Listener, func(net.Conn, http.ConnState)) {
	if max <= 0 {
		return ln, nil
	}
	l := &connLimiter{Listener: ln, slots: make(chan struct{}, max), done: make(chan struct{}), idle: map[net.Conn]time.Time{}}
	return l, l.connState
}

// Accept waits for a free slot, then for a connection.
func (l *connLimiter) Accept() (net.Conn, error) {
	for acquired := false; !acquired; {
		select {
		case l.slots <- struct{}{}:
			acquired = true
		case <-l.done:
			return nil, net.ErrClosed
		default:
			l.closeIdle()
			select {
			case l.slots <- struct{}{}:
				acquired = true
			case <-l.done:
				return nil, net.ErrClosed
			case <-time.After(100 * time.Millisecond):
				// Connections may have gone idle meanwhile: look again.
			}
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

// Close closes the listener and wakes a waiting Accept.
func (l *connLimiter) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// closeIdle closes the connection that has waited longest between
// keep-alive requests, if any.
func (l *connLimiter) closeIdle() {
	l.mu.Lock()
	defer l.mu.Unlock()
	var oldest net.Conn
	var since time.Time
	for c, t := range l.idle {
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	if oldest != nil {
		oldest.Close()
		delete(l.idle, oldest)
	}
}

func (l *connLimiter) connState(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if state == http.StateIdle {
		l.idle[c] = time.Now()
	} else {
		delete(l.idle, c)
	}
}

// limitedConn gives its slot back when closed, once.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// NetConn returns the connection c wraps (as tls.Conn's does), so that
// onewrite.ConnContext finds its own beneath.
func (c *limitedConn) NetConn() net.Conn { return c.Conn }

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
