package graphhttp

import (
	"net/http"
	"strings"
)

// cors answers cross-origin requests from the configured origins. With no
// origins it adds nothing, so browsers only let pages of the server's own
// origin read answers. No origin is ever allowed credentials: the API has
// no cookies to protect and no need for them.
type cors struct {
	any     bool
	origins map[string]bool
}

func newCORS(origins []string) *cors {
	c := &cors{origins: make(map[string]bool)}
	for _, o := range origins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		switch o {
		case "":
		case "*":
			c.any = true
		default:
			c.origins[strings.ToLower(o)] = true
		}
	}
	return c
}

func (c *cors) enabled() bool { return c.any || len(c.origins) > 0 }

// headers adds the CORS headers of a response to r. It reports whether r
// comes from an allowed origin.
func (c *cors) headers(w http.ResponseWriter, r *http.Request) bool {
	if !c.enabled() {
		return false
	}
	h := w.Header()
	if !c.any {
		h.Add("Vary", "Origin")
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	switch {
	case c.any:
		h.Set("Access-Control-Allow-Origin", "*")
	case c.origins[strings.ToLower(origin)]:
		h.Set("Access-Control-Allow-Origin", origin)
	default:
		return false
	}
	h.Set("Access-Control-Expose-Headers", "ETag, Retry-After, X-Request-Id, "+
		"X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Reset, X-RateLimit-Resource")
	return true
}

// preflight answers an OPTIONS request: the methods the endpoint takes and,
// for an allowed origin, the CORS preflight headers.
func (c *cors) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Allow", "GET, POST, OPTIONS")
	if c.headers(w, r) && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", "GET, POST")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" && len(req) <= 512 && tokenList(req) {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", "600")
		h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
	}
	w.WriteHeader(http.StatusNoContent)
}

// tokenList reports whether s is a comma-separated list of header names.
func tokenList(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b == ',' || b == ' ' || b == '-' || b == '_' || b == '.' ||
			'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9') {
			return false
		}
	}
	return true
}
