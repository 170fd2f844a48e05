package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Defaults of Config's zero fields.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultHeaderTimeout  = 30 * time.Second
	DefaultTimeout        = 60 * time.Second
	// DefaultMaxBytes bounds a body: far above the largest real feeds
	// (a 10,000-item feed with full show notes is some tens of MB).
	DefaultMaxBytes = 64 << 20
	// DefaultMaxRedirects is how many redirects a fetch follows.
	DefaultMaxRedirects = 5
	// UserAgent names the project to the servers it fetches from.
	UserAgent = "podcastgraph/1 (feed fetcher; +https://github.com/podcastgraph)"
)

// Config is how a Fetcher fetches. The zero value is the production
// default: every limit at its default, private addresses refused.
type Config struct {
	// AllowPrivate lets fetches reach loopback, private and the other
	// addresses Blocked names (--fetch-allow-private).
	AllowPrivate bool
	// ConnectTimeout bounds a connection and its TLS handshake;
	// HeaderTimeout the wait for the response's headers; Timeout the whole
	// fetch, redirects and body included. 0 means the default.
	ConnectTimeout, HeaderTimeout, Timeout time.Duration
	// MaxBytes bounds the body, after gzip is undone; 0 means the default.
	MaxBytes int64
	// MaxRedirects is how many redirects are followed; 0 means the
	// default, negative none.
	MaxRedirects int
}

// Validators are what a server said identifies a version of a document,
// sent back to ask for it only if it changed.
type Validators struct {
	ETag         string
	LastModified string
}

// Response is a fetched document.
type Response struct {
	// URL is where the document was found, after redirects.
	URL string
	// NotModified is true when the server answered 304 to the validators
	// sent: Body is then empty and Validators are those sent.
	NotModified bool
	Body        []byte
	// Validators are the response's ETag and Last-Modified.
	Validators Validators
}

// Fetcher fetches documents as its Config says. It is safe for concurrent
// use and reuses connections between fetches.
type Fetcher struct {
	cfg    Config
	client *http.Client
}

// New returns a Fetcher for cfg, its zero fields set to the defaults.
func New(cfg Config) *Fetcher { return newFetcher(cfg, Blocked) }

// newFetcher is New with the addresses refused unless AllowPrivate given
// by blocked (a test treats one loopback address as public with it).
func newFetcher(cfg Config, blocked func(netip.Addr) string) *Fetcher {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.HeaderTimeout <= 0 {
		cfg.HeaderTimeout = DefaultHeaderTimeout
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	switch {
	case cfg.MaxRedirects == 0:
		cfg.MaxRedirects = DefaultMaxRedirects
	case cfg.MaxRedirects < 0:
		cfg.MaxRedirects = 0
	}
	dialer := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		dialer.Control = guard(blocked)
	}
	transport := &http.Transport{
		// No proxy: the guard checks the address dialled, which through a
		// proxy would be the proxy's, not the feed's.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		ResponseHeaderTimeout:  cfg.HeaderTimeout,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	f := &Fetcher{cfg: cfg}
	f.client = &http.Client{Transport: transport, CheckRedirect: f.checkRedirect}
	return f
}

// Config returns the settings in use, defaults filled in.
func (f *Fetcher) Config() Config { return f.cfg }

// CloseIdle closes the connections kept for reuse.
func (f *Fetcher) CloseIdle() { f.client.CloseIdleConnections() }

// Error is a fetch that failed: it names the URL and says why in words
// meant for whoever asked for it (an operator, or a client of the admin
// endpoint), never with the resolver's or the dialler's internals.
type Error struct {
	URL    string
	Reason string
	err    error
}

func (e *Error) Error() string { return e.URL + ": " + e.Reason }

// Unwrap returns the underlying error, for errors.Is (context errors).
func (e *Error) Unwrap() error { return e.err }

// Check returns an *Error when rawURL is not one Get fetches: not
// absolute http or https, no host, or credentials in it (they would end
// up in logs and document names).
func Check(rawURL string) error {
	_, err := parse(rawURL)
	return err
}

func parse(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, &Error{URL: rawURL, Reason: "not a valid URL"}
	}
	if err := checkURL(u); err != nil {
		return nil, &Error{URL: rawURL, Reason: err.Error()}
	}
	return u, nil
}

// checkURL refuses what Get does not fetch, at the start and at every
// redirect.
func checkURL(u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("scheme %q is not fetched: only http and https", u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return errors.New("no host in URL")
	case u.User != nil:
		return errors.New("credentials in the URL are not supported")
	}
	return nil
}

// errRedirects ends a chain of redirects longer than allowed.
type redirectError struct{ max int }

func (e *redirectError) Error() string { return fmt.Sprintf("more than %d redirects", e.max) }

// checkRedirect follows at most MaxRedirects redirects, each to an
// http(s) URL; the address it leads to is checked when it is dialled.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.cfg.MaxRedirects {
		return &redirectError{max: f.cfg.MaxRedirects}
	}
	if err := checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect to %s: %w", redactURL(req.URL), err)
	}
	return nil
}

// redactURL is u without credentials, for messages.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// Get fetches rawURL, sending v as If-None-Match and If-Modified-Since
// when set. It returns the body (at most MaxBytes, gzip undone) of a 200,
// or NotModified for a 304. Every failure is an *Error naming rawURL: a
// refused URL, scheme or address, too many redirects, a timeout, a body
// over the limit, a status other than 200 and 304; when ctx ends, the
// *Error wraps ctx's error.
func (f *Fetcher) Get(ctx context.Context, rawURL string, v Validators) (*Response, error) {
	u, err := parse(rawURL)
	if err != nil {
		return nil, err
	}
	fctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{URL: rawURL, Reason: "not a valid URL"}
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.8, */*;q=0.5")
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.fail(ctx, fctx, rawURL, err)
	}
	defer resp.Body.Close()
	out := &Response{URL: resp.Request.URL.String(),
		Validators: Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		if v == (Validators{}) {
			return nil, &Error{URL: rawURL, Reason: "HTTP 304 Not Modified to a request that was not conditional"}
		}
		out.NotModified = true
		if out.Validators == (Validators{}) {
			out.Validators = v
		}
		return out, nil
	default:
		// The status line's own text is the remote server's words: not
		// passed on to whoever asked for the fetch.
		return nil, &Error{URL: rawURL, Reason: strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))}
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return nil, &Error{URL: rawURL, Reason: fmt.Sprintf("body of %d bytes is over the %d-byte limit", resp.ContentLength, f.cfg.MaxBytes)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBytes+1))
	if err != nil {
		return nil, f.fail(ctx, fctx, rawURL, err)
	}
	if int64(len(body)) > f.cfg.MaxBytes {
		return nil, &Error{URL: rawURL, Reason: fmt.Sprintf("body is over the %d-byte limit", f.cfg.MaxBytes)}
	}
	out.Body = body
	return out, nil
}

// fail turns a transport error into an *Error that says what went wrong
// in words: which limit was reached, what was refused, whether the host
// was not found or refused the connection. The underlying text (resolver
// and dialler details, addresses) is kept out of it.
func (f *Fetcher) fail(ctx, fctx context.Context, rawURL string, err error) error {
	e := &Error{URL: rawURL, err: err}
	var (
		blocked  *blockedError
		redirect *redirectError
		dnsErr   *net.DNSError
		opErr    *net.OpError
		certErr  *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
	)
	switch {
	case ctx.Err() != nil:
		e.Reason, e.err = "stopped: "+ctx.Err().Error(), ctx.Err()
	case errors.As(err, &blocked):
		e.Reason = blocked.Error() + " (the operator can allow it with --fetch-allow-private)"
	case errors.As(err, &redirect):
		e.Reason = redirect.Error()
	case fctx.Err() != nil:
		e.Reason = fmt.Sprintf("not done within %v", f.cfg.Timeout)
	case errors.As(err, &dnsErr):
		e.Reason = "host not found"
		if !dnsErr.IsNotFound {
			e.Reason = "could not resolve the host"
		}
	case errors.As(err, &opErr) && opErr.Op == "dial":
		switch {
		case opErr.Timeout():
			e.Reason = fmt.Sprintf("no connection within %v", f.cfg.ConnectTimeout)
		case errors.Is(err, syscall.ECONNREFUSED):
			e.Reason = "connection refused"
		default:
			e.Reason = "could not connect"
		}
	case errors.As(err, &certErr):
		e.Reason = "TLS certificate not valid for the host"
	case errors.As(err, &recErr), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		e.Reason = "TLS handshake failed: the server does not speak TLS"
	case strings.Contains(err.Error(), "timeout awaiting response headers"):
		e.Reason = fmt.Sprintf("no response headers within %v", f.cfg.HeaderTimeout)
	case strings.Contains(err.Error(), "TLS handshake timeout"):
		e.Reason = fmt.Sprintf("no TLS handshake within %v", f.cfg.ConnectTimeout)
	case strings.HasPrefix(unwrapURL(err).Error(), "redirect to "):
		e.Reason = unwrapURL(err).Error()
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		e.Reason = "connection closed before the whole answer came"
	default:
		e.Reason = "transfer failed"
	}
	return e
}

// unwrapURL returns the error a *url.Error wraps, or err.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
