package main

import (
	"net/http"
	"strings"
	"testing"
)

// GraphQL outcomes in the metrics come from gqlgen's response hooks and,
// for requests refused before GraphQL, from the HTTP status: an answer
// with GraphQL errors counts as graphql_error whether execution or
// validation made it, a refusal as client_error, an answer without errors
// (from the response cache too) as ok. A request that fails validation
// or is refused never has an operation: it counts as anonymous.
func TestMetricsOutcomes(t *testing.T) {
	s := startServer(t)
	post := func(contentType, body string) {
		t.Helper()
		resp, err := http.Post(s.URL+"/graphql", contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post("application/json", `{"operationName":"Invalid","query":"query Invalid { nope }"}`)                             // validation
	post("application/json", `{"operationName":"Bounds","query":"query Bounds { episodes(first: -1) { totalCount } }"}`) // execution
	post("text/plain", `{"operationName":"Refused","query":"query Refused { __typename }"}`)                             // 415
	post("application/json", `{"operationName":"Fine","query":"query Fine { show { title } }"}`)                         // ok
	for range 2 {
		if status, _ := httpGet(t, s.URL+`/graphql?operationName=Cached&query=query+Cached+%7B+show+%7B+title+%7D+%7D`); status != 200 {
			t.Fatalf("GET: %d", status)
		}
	}
	_, text := httpGet(t, s.URL+"/metrics")
	for _, want := range []string{
		`podcast_graphql_requests_total{operation="anonymous",outcome="graphql_error"} 1`, // Invalid: no operation was built
		`podcast_graphql_requests_total{operation="Bounds",outcome="graphql_error"} 1`,
		`podcast_graphql_requests_total{operation="anonymous",outcome="client_error"} 1`,
		`podcast_graphql_requests_total{operation="Fine",outcome="ok"} 1`,
		`podcast_graphql_requests_total{operation="Cached",outcome="ok"} 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "podcast_graphql_requests_total") {
				t.Log(line)
			}
		}
	}
}
