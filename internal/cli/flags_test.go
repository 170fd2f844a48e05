package cli

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"podcastgraph/internal/server"
)

// newServeConfig declares serve's flags over getenv, as runServe does.
func newServeConfig(getenv func(string) string) (*server.Config, *flags) {
	cfg := &server.Config{}
	var tokenFile string
	f := newFlags(Serve(), getenv)
	serveFlags(f, cfg, &tokenFile)
	return cfg, f
}

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
	cfg, f := newServeConfig(func(k string) string { return env[k] })
	if err := f.fs.Parse([]string{"--max-depth", "4"}); err != nil {
		t.Fatal(err)
	}
	c := cfg.API
	if c.Introspection || c.Playground || c.MaxBody != 1024 || c.MaxTokens != 500 || c.MaxCost != 10000 ||
		c.MaxDepth != 4 || c.MaxAliases != 15 || c.Rate != 2.5 || c.RateBurst != 7 || c.CacheMaxAge != time.Minute {
		t.Errorf("config = %+v", c)
	}
	o := c.GraphHTTP(nil)
	if want := []string{"https://a.example", "https://b.example"}; !slices.Equal(o.CORSOrigins, want) {
		t.Errorf("CORS origins %q", o.CORSOrigins)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	if !slices.Equal(o.TrustedProxies, want) {
		t.Errorf("trusted proxies %v", o.TrustedProxies)
	}
	if w := strings.Join(f.Warnings(), "\n"); !strings.Contains(w, `ignoring $PODCAST_MAX_COST="junk": want an integer of at least 0`) {
		t.Errorf("warnings %q", w)
	}

	cfg, f = newServeConfig(func(string) string { return "" })
	if err := f.fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c := cfg.API; !c.Introspection || !c.Playground || c.Rate != 50 || c.MaxCost != 10000 || c.CORSOrigins != "" {
		t.Errorf("defaults = %+v", c)
	}
}

// The flags and their environment variables: no proxy trusted and nobody
// exempt by default.
func TestHardeningRateFlags(t *testing.T) {
	cfg, f := newServeConfig(func(string) string { return "" })
	if err := f.fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	o := cfg.API.GraphHTTP(nil)
	if len(o.TrustedProxies) != 0 || len(o.RateExempt) != 0 || o.CostRate != 1000 || o.CostBurst != 20000 {
		t.Errorf("defaults: trusted %v, exempt %v, cost rate %g, burst %d", o.TrustedProxies, o.RateExempt, o.CostRate, o.CostBurst)
	}
	env := map[string]string{"PODCAST_RATE_EXEMPT": "127.0.0.1, 10.1.0.0/16", "PODCAST_COST_RATE": "50", "PODCAST_COST_BURST": "1000"}
	cfg, f = newServeConfig(func(k string) string { return env[k] })
	if err := f.fs.Parse([]string{"--cost-burst", "3000"}); err != nil {
		t.Fatal(err)
	}
	o = cfg.API.GraphHTTP(nil)
	if fmt.Sprint(o.RateExempt) != "[127.0.0.1/32 10.1.0.0/16]" || o.CostRate != 50 || o.CostBurst != 3000 {
		t.Errorf("from the environment: exempt %v, cost rate %g, burst %d", o.RateExempt, o.CostRate, o.CostBurst)
	}
}

// A number given on the command line below its flag's minimum is an
// error naming the flag and the minimum (the flag package itself takes
// any): --max-tokens -5 had every query refused as "more than -5 tokens".
// The minimum itself is taken.
func TestFlagsBelowMinimumRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		says string // "" for accepted
	}{
		{[]string{"--max-tokens", "-5"}, "--max-tokens -5: must be at least 0"},
		{[]string{"--max-depth", "-1"}, "--max-depth -1: must be at least 0"},
		{[]string{"--batch", "0"}, "--batch 0: must be at least 1"},
		{[]string{"--refresh", "-5s"}, "--refresh -5s: must be at least 0s"},
		{[]string{"--rate", "-0.5"}, "--rate -0.5: must be at least 0"},
		{[]string{"--record-cache", "-1"}, "--record-cache -1: must be at least 0"},
		{[]string{"--max-tokens", "0", "--batch", "1", "--refresh", "0s", "--rate", "0"}, ""},
	} {
		_, f := newServeConfig(func(string) string { return "" })
		err := f.parse(c.args, io.Discard)
		switch {
		case c.says == "" && err != nil:
			t.Errorf("%v: %v, want it taken", c.args, err)
		case c.says != "" && (err == nil || !strings.Contains(err.Error(), c.says)):
			t.Errorf("%v: %v, want an error saying %q", c.args, err, c.says)
		}
	}
}

// Lists given on the command line are checked: an entry of
// --trusted-proxies or --rate-exempt that is not a CIDR or an address, or
// of --cors-origins that is not * or an origin, is an error naming it;
// from the environment they stay warnings (TestAPIFlags).
func TestListFlagsChecked(t *testing.T) {
	for _, c := range []struct {
		args []string
		says string // "" for accepted
	}{
		{[]string{"--trusted-proxies", "10.0.0.0/8, garbage"}, `--trusted-proxies: "garbage": not a CIDR or an address`},
		{[]string{"--rate-exempt", "10.0.0.0/33"}, `--rate-exempt: "10.0.0.0/33": not a CIDR or an address`},
		{[]string{"--cors-origins", "https://a.example, not a url"}, `--cors-origins: "not a url": not * or an origin`},
		{[]string{"--cors-origins", "https://a.example/app"}, `--cors-origins: "https://a.example/app": not * or an origin`},
		{[]string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.1, ::1", "--rate-exempt", "127.0.0.1", "--cors-origins", "https://a.example, http://localhost:3000"}, ""},
		{[]string{"--cors-origins", "*"}, ""},
	} {
		cfg, f := newServeConfig(func(string) string { return "" })
		if err := f.parse(c.args, io.Discard); err != nil {
			t.Fatal(err)
		}
		err := checkLists(f, cfg)
		switch {
		case c.says == "" && err != nil:
			t.Errorf("%v: %v, want it taken", c.args, err)
		case c.says != "" && (err == nil || !strings.Contains(err.Error(), c.says)):
			t.Errorf("%v: %v, want an error saying %q", c.args, err, c.says)
		}
	}
}
