package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve --federation answers _service { sdl } with the plain schema and the
// entities' keys, and _entities by those keys (an unknown key is null);
// the default server's schema has neither field.
func TestFederationSubgraph(t *testing.T) {
	s := startServer(t, "--federation")
	var svc struct {
		Service struct{ SDL string } `json:"_service"`
	}
	s.query(t, "{ _service { sdl } }", nil).must(t, &svc)
	for _, want := range []string{
		`extend type Show @key(fields: "slug")`,
		`extend type Episode @key(fields: "show { slug } number")`,
		`extend type Guest @key(fields: "slug")`,
		`extend type Topic @key(fields: "slug")`,
		`@link(url: "https://specs.apollo.dev/federation/v2.3"`,
		"type Query {", "episodeCount: Int!",
	} {
		if !strings.Contains(svc.Service.SDL, want) {
			t.Errorf("_service.sdl lacks %q", want)
		}
	}
	if strings.Contains(svc.Service.SDL, "_entities") || strings.Contains(svc.Service.SDL, "union _Entity") {
		t.Error("_service.sdl carries the federation fields themselves; a gateway adds them")
	}

	const q = `query($r: [_Any!]!) { _entities(representations: $r) { __typename
		... on Show { title } ... on Episode { code } ... on Guest { name } ... on Topic { name } } }`
	reps := []map[string]any{
		{"__typename": "Show", "slug": "devops-paradox"},
		{"__typename": "Episode", "show": map[string]any{"slug": "devops-paradox"}, "number": 316},
		{"__typename": "Guest", "slug": "avery-pennarun"},
		{"__typename": "Topic", "slug": "kubernetes"},
		{"__typename": "Guest", "slug": "no-such-guest"},
	}
	var got struct {
		Entities []map[string]any `json:"_entities"`
	}
	s.query(t, q, map[string]any{"r": reps}).must(t, &got)
	js, _ := json.Marshal(got.Entities)
	const want = `[{"__typename":"Show","title":"DevOps Paradox"},{"__typename":"Episode","code":"DOP 316"},` +
		`{"__typename":"Guest","name":"Avery Pennarun"},{"__typename":"Topic","name":"Kubernetes"},null]`
	if string(js) != want {
		t.Errorf("_entities:\n got %s\nwant %s", js, want)
	}

	plain := startServer(t)
	for _, q := range []string{"{ _service { sdl } }", `{ _entities(representations: []) { __typename } }`} {
		if r := plain.query(t, q, nil); r.code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("plain server, %s: code %q, want GRAPHQL_VALIDATION_FAILED", q, r.code())
		}
	}
	var ty struct {
		Type *struct{ Name string } `json:"__type"`
	}
	plain.query(t, `{ __type(name: "_Entity") { name } }`, nil).must(t, &ty)
	if ty.Type != nil {
		t.Error("the plain schema has _Entity")
	}
}

// The podcast subgraph composes behind a real gateway (Hive Gateway,
// composing locally from each subgraph's SDL) with a second subgraph
// (e2e/federation.mjs) that extends Guest; one query crosses both ways:
// podcast guests get the other subgraph's field, and the other
// subgraph's guests are completed from the podcast graph (_entities). It
// runs when PODCAST_E2E=1 (./test.sh sets it and installs e2e/node_modules).
func TestFederationGateway(t *testing.T) {
	node := e2eNode(t, "federation gateway", filepath.Join("@graphql-hive", "gateway"))
	s := startServer(t, "--federation")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const query = `{
		guest(slug: "avery-pennarun") { name mastodon episodes(first: 1) { nodes { code show { title } } } }
		featuredGuests { slug name organization episodeCount }
	}`
	out, err := exec.CommandContext(ctx, node, filepath.Join("e2e", "federation.mjs"), s.URL+"/graphql", query).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("e2e/federation.mjs: %v\n%s", err, stderr)
	}
	const want = `{"data":{"guest":{"name":"Avery Pennarun","mastodon":"@apenwarr@mastodon.social",` +
		`"episodes":{"nodes":[{"code":"DOP 316","show":{"title":"DevOps Paradox"}}]}},` +
		`"featuredGuests":[{"slug":"avery-pennarun","name":"Avery Pennarun","organization":"Tailscale","episodeCount":1}]}}`
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("gateway answered\n %s\nwant\n %s", got, want)
	}
}
