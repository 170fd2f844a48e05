package graphhttp

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// The content codings answers are sent in; "" is identity.
const (
	codingGzip   = "gzip"
	codingBrotli = "br"
)

// compressMinBytes is the smallest answer worth compressing: below it the
// coding's framing and the CPU cost more than the bytes saved.
const compressMinBytes = 1024

// Compression settings, measured on the nested page of 20 (12.9 KB of
// JSON; go test -bench Compress ./internal/graphhttp): gzip at level 1 takes it to
// 2.6 KB in about 30 µs, a tenth of what executing it costs; brotli needs
// about 300 µs (quality 5) for 2.1 KB. So an answer executed for one
// client goes out in gzip, and brotli is spent only on an answer the
// response cache serves again, where it is made once.
const (
	gzipLevel     = 1
	brotliQuality = 5
)

// codings is what a client's Accept-Encoding allows, by quality.
type codings struct {
	gzip, br float64 // quality of each; 0 when refused or not named
	identity float64 // quality of identity when named, else -1
}

// acceptEncoding reads Accept-Encoding header values (RFC 9110, 12.5.3):
// codings with their q-values, "x-gzip" as gzip, "*" for every coding not
// named. A missing header allows identity only.
func acceptEncoding(values []string) codings {
	c := codings{identity: -1}
	gz, br, star := -1.0, -1.0, -1.0
	for _, v := range values {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			q := 1.0
			for params != "" {
				var p string
				p, params, _ = strings.Cut(params, ";")
				k, val, _ := strings.Cut(p, "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0 // unreadable: not an acceptance
					}
					q = f
				}
			}
			switch {
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				gz = max(gz, q)
			case strings.EqualFold(name, "br"):
				br = max(br, q)
			case strings.EqualFold(name, "identity"):
				c.identity = max(c.identity, q)
			case name == "*":
				star = max(star, q)
			}
		}
	}
	if gz < 0 {
		gz = star
	}
	if br < 0 {
		br = star
	}
	c.gzip, c.br = max(gz, 0), max(br, 0)
	return c
}

// pick returns the coding to send: the allowed one of highest quality,
// brotli over gzip on a tie when preferBrotli (the answer is served again
// from the cache, where its cost is paid once), else gzip; "" (identity)
// when neither is allowed or identity is named with a higher quality.
func (c codings) pick(preferBrotli bool) string {
	best, q := "", 0.0
	if preferBrotli {
		best, q = pickBetter(best, q, codingBrotli, c.br)
		best, q = pickBetter(best, q, codingGzip, c.gzip)
	} else {
		best, q = pickBetter(best, q, codingGzip, c.gzip)
		best, q = pickBetter(best, q, codingBrotli, c.br)
	}
	if c.identity > q {
		return ""
	}
	return best
}

func pickBetter(best string, q float64, name string, nq float64) (string, float64) {
	if nq > q {
		return name, nq
	}
	return best, q
}

// allowed returns the codings the client accepts, for matching the ETags
// of the representations it may hold.
func (c codings) allowed() []string {
	var out []string
	if c.br > 0 {
		out = append(out, codingBrotli)
	}
	if c.gzip > 0 {
		out = append(out, codingGzip)
	}
	return out
}

// compressor compresses answers with pooled writers and tells
// Options.Compressed.
type compressor struct {
	gz, br sync.Pool
	told   func(coding string, before, after int)
}

// compress returns body in coding, nil when coding is identity.
func (c *compressor) compress(coding string, body []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(body)/3 + 64)
	switch coding {
	case codingGzip:
		w, _ := c.gz.Get().(*gzip.Writer)
		if w == nil {
			w, _ = gzip.NewWriterLevel(&buf, gzipLevel) // the level is valid
		} else {
			w.Reset(&buf)
		}
		_, _ = w.Write(body) // a bytes.Buffer does not fail
		_ = w.Close()
		c.gz.Put(w)
	case codingBrotli:
		w, _ := c.br.Get().(*brotli.Writer)
		if w == nil {
			w = brotli.NewWriterLevel(&buf, brotliQuality)
		} else {
			w.Reset(&buf)
		}
		_, _ = w.Write(body)
		_ = w.Close()
		c.br.Put(w)
	default:
		return nil
	}
	if c.told != nil {
		c.told(coding, len(body), buf.Len())
	}
	return buf.Bytes()
}

// taggedETag returns the entity tag of an answer in coding: the identity
// tag with the coding's name inside the quotes, so that each
// representation has its own tag (and weak comparison still tells them
// apart).
func taggedETag(etag, coding string) string {
	if coding == "" || !strings.HasSuffix(etag, `"`) {
		return etag
	}
	suffix := "-gz"
	if coding == codingBrotli {
		suffix = "-br"
	}
	return etag[:len(etag)-1] + suffix + `"`
}

// matchETag returns which of candidates an If-None-Match header names, by
// weak comparison ("*" names the first); "" when none.
func matchETag(header string, candidates ...string) string {
	for _, c := range candidates {
		if etagMatch(header, c) {
			return c
		}
	}
	return ""
}

// varyEncoding marks an answer as depending on Accept-Encoding.
func varyEncoding(h http.Header) { h.Add("Vary", "Accept-Encoding") }
