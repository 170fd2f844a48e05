package main

import (
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"podcastgraph/internal/server"
)

// With tracing on, a GraphQL request is a server span continuing the
// client's traceparent, its operation a child span, and (--trace-fields)
// each resolver field a span below the operation, nested as the fields
// are (Query.episodes > EpisodeConnection.nodes > Episode.guests); the rewritten leaf fields
// (Episode.code) bypass the field middleware and have none. The request
// log carries the trace id.
func TestTracingSpans(t *testing.T) {
	for _, fields := range []bool{true, false} {
		name := map[bool]string{true: "fields", false: "no fields"}[fields]
		t.Run(name, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			args := []string{"--seeds", "seeds"}
			if fields {
				args = append(args, "--trace-fields")
			}
			s := startServerWith(t, server.Options{TracerProvider: tp}, t.TempDir()+"/podcast.db", args...)
			const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql",
				strings.NewReader(`{"query":"query Latest { episodes(first: 2) { nodes { code guests { name } } } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Traceparent", "00-"+traceID+"-"+parentID+"-01")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := decodeResponse(t, resp)
			if len(r.Errors) > 0 || resp.StatusCode != http.StatusOK {
				t.Fatalf("%d %s", resp.StatusCode, r.Errors)
			}
			s.stop() // the request's span ends after its answer is written
			spans := map[string][]tracetest.SpanStub{}
			for _, sp := range exp.GetSpans() {
				spans[sp.Name] = append(spans[sp.Name], sp)
			}
			one := func(name string) tracetest.SpanStub {
				t.Helper()
				if len(spans[name]) != 1 {
					t.Fatalf("%d spans named %q, want 1; spans: %v", len(spans[name]), name, names(spans))
				}
				return spans[name][0]
			}
			request, op := one("POST /graphql"), one("query Latest")
			if request.SpanKind != trace.SpanKindServer || request.SpanContext.TraceID().String() != traceID ||
				request.Parent.SpanID().String() != parentID {
				t.Errorf("request span: kind %v, trace %s, parent %s; want a server span of the client's trace and span",
					request.SpanKind, request.SpanContext.TraceID(), request.Parent.SpanID())
			}
			if op.Parent.SpanID() != request.SpanContext.SpanID() {
				t.Errorf("operation span's parent %s, want the request's %s", op.Parent.SpanID(), request.SpanContext.SpanID())
			}
			if fields {
				// Field spans nest as the fields do.
				episodes := one("Query.episodes")
				nodes := one("EpisodeConnection.nodes")
				for _, c := range []struct {
					child  tracetest.SpanStub
					parent tracetest.SpanStub
				}{{episodes, op}, {nodes, episodes}} {
					if c.child.Parent.SpanID() != c.parent.SpanContext.SpanID() {
						t.Errorf("%s's parent is %s, want %s", c.child.Name, c.child.Parent.SpanID(), c.parent.Name)
					}
				}
				if len(spans["Episode.guests"]) != 2 {
					t.Errorf("%d Episode.guests spans, want one per episode (2)", len(spans["Episode.guests"]))
				}
				for _, sp := range spans["Episode.guests"] {
					if sp.Parent.SpanID() != nodes.SpanContext.SpanID() {
						t.Errorf("Episode.guests's parent is %s, want EpisodeConnection.nodes", sp.Parent.SpanID())
					}
				}
			}
			if n := len(spans["Episode.code"]) + len(spans["Guest.name"]); n != 0 {
				t.Errorf("%d spans of rewritten leaf fields, want none (they bypass the field middleware)", n)
			}
			if !fields && len(spans) != 2 {
				t.Errorf("without --trace-fields: spans %v, want the request's and the operation's", names(spans))
			}
			if !strings.Contains(s.logs.String(), "trace_id="+traceID) {
				t.Errorf("no trace_id=%s in the request log:\n%s", traceID, s.logs.String())
			}
		})
	}
}

// Tracing is off by default: no trace id in the request log.
func TestTracingOffByDefault(t *testing.T) {
	s := startServer(t, "--seeds", "")
	s.query(t, "{ __typename }", nil).must(t, &struct{}{})
	s.stop()
	if logs := s.logs.String(); strings.Contains(logs, "trace_id") || !strings.Contains(logs, "path=/graphql") {
		t.Errorf("want a request line without trace_id:\n%s", logs)
	}
}

func names(spans map[string][]tracetest.SpanStub) []string {
	var out []string
	for n := range spans {
		out = append(out, n)
	}
	return out
}
