package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"podcastgraph/store"
)

func TestRedactArgs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"serve --admin-token abc --addr :0", "serve --admin-token REDACTED --addr :0"},
		{"-admin-token=abc -token abc", "-admin-token=REDACTED -token REDACTED"},
		{"ingest --token=abc --token-file f --admin-token-file g", "ingest --token=REDACTED --token-file f --admin-token-file g"},
		{"backup --token", "backup --token"},
	} {
		if got := strings.Join(redactArgs(strings.Fields(c.in)), " "); got != c.want {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}

// A flood of made-up operation names holds the label set only until the
// names go quiet; then new names get labels again, and the flood's series
// are gone.
func TestOperationLabelsEvicted(t *testing.T) {
	m := newMetrics()
	now := time.Unix(1_000_000, 0)
	m.now = func() time.Time { return now }
	count := func(label string) {
		m.requests.WithLabelValues(label, "ok").Inc()
		m.latency.WithLabelValues(label).Observe(0.001)
	}
	count(m.operationLabel("Regular"))
	for i := range maxOperationLabels * 3 {
		count(m.operationLabel(fmt.Sprintf("Junk%d", i)))
	}
	if got := m.operationLabel("NewApp"); got != "other" {
		t.Fatalf("a new name while the set is full of fresh names: %q, want other", got)
	}
	now = now.Add(m.opTTL / 2)
	if got := m.operationLabel("Regular"); got != "Regular" {
		t.Errorf("a name in the set: %q", got)
	}
	now = now.Add(m.opTTL/2 + time.Second)
	if got := m.operationLabel("NewApp"); got != "NewApp" {
		t.Fatalf("a new name after the flood went quiet: %q, want its own label", got)
	}
	count("NewApp")
	// Regular was seen within the TTL: it keeps its place.
	for i := range maxOperationLabels {
		m.operationLabel(fmt.Sprintf("Later%d", i))
	}
	if got := m.operationLabel("Regular"); got != "Regular" {
		t.Errorf("a name in regular use lost its label: %q", got)
	}
	// Series: at most the bounded set plus "other", never the whole flood.
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "podcast_graphql_") && len(f.GetMetric()) > maxOperationLabels+1 {
			t.Errorf("%s: %d series after evictions; want at most %d", f.GetName(), len(f.GetMetric()), maxOperationLabels+1)
		}
	}
}

func TestReadyz(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := &app{store: st}
	for _, ready := range []bool{false, true} {
		a.ready.Store(ready)
		rec := httptest.NewRecorder()
		a.readyz(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		want := map[bool]int{false: 503, true: 200}[ready]
		if rec.Code != want {
			t.Errorf("ready=%v: /readyz %d, want %d", ready, rec.Code, want)
		}
	}
}

// Entries of --trusted-proxies and --rate-exempt that are neither CIDRs
// nor addresses are named (for serve's warning) and skipped.
func TestBadPrefixes(t *testing.T) {
	const list = "10.0.0.0/8, 192.0.2.1, nonsense"
	if bad := BadPrefixes(list); !slices.Equal(bad, []string{"nonsense"}) {
		t.Errorf("bad prefixes %q", bad)
	}
	if got := fmt.Sprint(parsePrefixes(list)); got != "[10.0.0.0/8 192.0.2.1/32]" {
		t.Errorf("prefixes %s", got)
	}
}
