package main

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

// The endpoint's flags fall back to their environment variables, then to
// graphhttp's defaults; flags win over both.
func TestAPIFlags(t *testing.T) {
	env := map[string]string{
		"PODCAST_INTROSPECTION":   "false",
		"PODCAST_PLAYGROUND":      "0",
		"PODCAST_MAX_BODY":        "1024",
		"PODCAST_MAX_TOKENS":      "500",
		"PODCAST_MAX_COST":        "junk", // ignored
		"PODCAST_RATE":            "2.5",
		"PODCAST_RATE_BURST":      "7",
		"PODCAST_CORS_ORIGINS":    "https://a.example, https://b.example",
		"PODCAST_CACHE_MAX_AGE":   "1m",
		"PODCAST_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1, nonsense",
	}
	cfg, fs := newConfig("serve", func(k string) string { return env[k] })
	if err := fs.Parse([]string{"--max-depth", "4"}); err != nil {
		t.Fatal(err)
	}
	c := cfg.API
	if c.Introspection || c.Playground || c.MaxBody != 1024 || c.MaxTokens != 500 || c.MaxCost != 10000 ||
		c.MaxDepth != 4 || c.MaxAliases != 15 || c.Rate != 2.5 || c.RateBurst != 7 || c.CacheMaxAge != time.Minute {
		t.Errorf("config = %+v", c)
	}
	o := c.options(nil)
	if want := []string{"https://a.example", "https://b.example"}; !slices.Equal(o.CORSOrigins, want) {
		t.Errorf("CORS origins %q", o.CORSOrigins)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	if !slices.Equal(o.TrustedProxies, want) {
		t.Errorf("trusted proxies %v", o.TrustedProxies)
	}
	if bad := badPrefixes(c.TrustedProxies); !slices.Equal(bad, []string{"nonsense"}) {
		t.Errorf("bad prefixes %q", bad)
	}

	cfg, fs = newConfig("serve", func(string) string { return "" })
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c := cfg.API; !c.Introspection || !c.Playground || c.Rate != 50 || c.MaxCost != 10000 || c.CORSOrigins != "" {
		t.Errorf("defaults = %+v", c)
	}
}
