package ingest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

func TestMatch(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	tests := []struct {
		text string
		want []string
	}{
		{"AI tools everyone is excited about", []string{"ai"}},
		{"He said they maintain a raid array", []string{}},
		{"ai-powered, AI's future, AIs", []string{"ai"}},
		{"traditional VPNs", []string{"vpn"}},
		{"a VPN", []string{"vpn"}},
		{"its open-source client", []string{"open-source"}},
		{"its open source client", []string{"open-source"}},
		{"Peer-to-peer technology", []string{"peer-to-peer"}},
		{"peer to peer and P2P", []string{"peer-to-peer"}},
		{"Time series databases have become essential", []string{"databases", "time-series-databases"}},
		{"a time-series database", []string{"databases", "time-series-databases"}},
		{"Tests run in CI.", []string{"ci-cd"}},
		{"CI/CD pipelines and continuous integration", []string{"ci-cd"}},
		{"Deployments happen through Argo CD.", []string{"gitops"}},
		{"Using eBPF technology", []string{"ebpf"}},
		{"k8s clusters", []string{"kubernetes"}},
		{"the rise of Wasm", []string{"webassembly"}},
		{"the network effect of a social network", []string{}},
		{"network security", []string{"networking", "security"}},
		{"job security is not a topic", []string{}},
		{"DNS has been around", []string{"dns"}},
		{"écoute: Kubernetes", []string{"kubernetes"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := vocab.Match(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Match(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestDefaultVocabulary(t *testing.T) {
	v := ingest.DefaultVocabulary()
	topics := v.Topics()
	if len(topics) < 25 {
		t.Errorf("%d topics, want a useful vocabulary", len(topics))
	}
	if !slices.IsSortedFunc(topics, func(a, b podcast.Topic) int { return strings.Compare(a.Slug, b.Slug) }) {
		t.Error("Topics() not sorted by slug")
	}
	want := []string{"dns", "ai", "observability", "ebpf", "time-series-databases", "peer-to-peer", "vpn",
		"kubernetes", "containers", "cloud", "ci-cd", "gitops", "security", "open-source", "webassembly",
		"data-orchestration", "networking", "infrastructure-as-code", "platform-engineering", "serverless",
		"databases", "frontend", "monitoring"}
	for _, slug := range want {
		if !slices.ContainsFunc(topics, func(t podcast.Topic) bool { return t.Slug == slug }) {
			t.Errorf("no topic %s", slug)
		}
	}
	for _, tp := range topics {
		if tp.Slug != ingest.Slugify(tp.Slug) || tp.Name == "" {
			t.Errorf("topic %+v", tp)
		}
	}
	topics[0].Name = "changed"
	if v.Topics()[0].Name == "changed" {
		t.Error("Topics() shares its slice with the vocabulary")
	}
	if fp := v.Fingerprint(); len(fp) != 16 || fp != ingest.DefaultVocabulary().Fingerprint() {
		t.Errorf("fingerprint %q is not a stable short hash", fp)
	}
}

func TestLoadVocabulary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.json")
	data := `[
  {"name": "Rust", "aliases": ["rustlang"]},
  {"name": "Home lab", "slug": "homelab", "aliases": ["home-lab", "homelab"]}
]`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := ingest.LoadVocabulary(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Match("My home labs run Rust, not Kubernetes."); !slices.Equal(got, []string{"homelab", "rust"}) {
		t.Errorf("Match = %q", got)
	}
	if v.Fingerprint() == ingest.DefaultVocabulary().Fingerprint() {
		t.Error("a different vocabulary has the default's fingerprint")
	}
	doc, err := ingest.Parse("p.txt", ownPage("Darin and Viktor build a home lab in Rust."), v)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(doc.Episode.Topics, []string{"homelab", "rust"}) {
		t.Errorf("Parse with a custom vocabulary: topics %q", doc.Episode.Topics)
	}
}

func TestBadVocabulary(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"syntax", "[\n  {\"name\": \"DNS\"},\n  {\"name\": }\n]", "bad.json:3:"},
		{"not an array", `{"name": "DNS"}`, "bad.json"},
		{"unknown field", `[{"name": "DNS", "alias": ["x"]}]`, `unknown field "alias"`},
		{"no name", `[{"slug": "dns"}]`, "entry 1 has no name"},
		{"bad slug", `[{"name": "DNS", "slug": "Domain Names"}]`, `invalid slug "Domain Names"`},
		{"duplicate slug", `[{"name": "DNS"}, {"name": "dns"}]`, `duplicate slug "dns"`},
		{"empty alias", `[{"name": "DNS", "aliases": ["--"]}]`, `alias "--" has no letters`},
		{"trailing data", `[] []`, "data after the JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.json")
			if err := os.WriteFile(path, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ingest.LoadVocabulary(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming %s and saying %q", err, path, tt.want)
			}
		})
	}
	if _, err := ingest.LoadVocabulary(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}
