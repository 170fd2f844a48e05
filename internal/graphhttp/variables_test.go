package graphhttp

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

var enumSchema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	scalar Date
	enum Direction { ASC DESC }
	enum Kind { EPISODE GUEST }
	input Order { field: String direction: Direction! }
	input Filter { after: Date kinds: [Kind!] order: Order }
	type Query { items(order: Order, kinds: [Kind!], filter: Filter, on: Date): Int }
`})

// dateCheck stands for the server's Date check: a string of 10 bytes.
func dateCheck(v any) error {
	if s, ok := v.(string); !ok || len(s) != 10 {
		return errors.New("a Date is a string in YYYY-MM-DD form")
	}
	return nil
}

// schemaHandler serves schema, every operation answering {"items":1}
// and counting in executed (when not nil), with scalars as InputScalars.
func schemaHandler(schema *ast.Schema, scalars map[string]func(any) error, executed *atomic.Int32) http.Handler {
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			if executed != nil {
				executed.Add(1)
			}
			return graphql.OneShot(&graphql.Response{Data: []byte(`{"items":1}`)})
		},
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) { return 0, false },
	})
	o := Defaults()
	o.Rate, o.CostRate = 0, 0
	o.InputScalars = scalars
	return New(srv, o)
}

// TestVariablesCheckedStrictly: an enum value in another case, or not a
// string, and a Date that is not one, anywhere in a variable (in a list,
// in an input object in an input object), are request errors naming the
// variable's path and what is allowed, with no execution; the values as
// written run.
func TestVariablesCheckedStrictly(t *testing.T) {
	var executed atomic.Int32
	h := schemaHandler(enumSchema, map[string]func(any) error{"Date": dateCheck}, &executed)
	const query = `query($o: Order, $k: [Kind!], $f: Filter, $d: Date) { items(order: $o, kinds: $k, filter: $f, on: $d) }`
	for _, c := range []struct {
		vars string
		path string // of the error; "" for none
		says string
	}{
		{`{"o": {"direction": "ASC"}, "k": ["EPISODE", "GUEST"], "f": {"after": "2025-01-01", "kinds": ["GUEST"], "order": {"direction": "DESC"}}, "d": "2025-02-01"}`, "", ""},
		{`{"o": {"direction": "asc"}}`, `["variable","o","direction"]`, `"asc" is not a value of Direction: one of ASC, DESC`},
		{`{"k": ["EPISODE", "guest"]}`, `["variable","k",1]`, `"guest" is not a value of Kind`},
		{`{"k": "episode"}`, `["variable","k",0]`, `"episode" is not a value of Kind`},
		{`{"f": {"order": {"direction": "Desc"}}}`, `["variable","f","order","direction"]`, `"Desc" is not a value of Direction`},
		{`{"f": {"after": "someday"}}`, `["variable","f","after"]`, `a Date is a string`},
		{`{"d": 20250101}`, `["variable","d"]`, `a Date is a string`},
	} {
		before := executed.Load()
		a := serve(t, h, post(`{"query": `+jsonString(query)+`, "variables": `+c.vars+`}`, "Accept", gr))
		if c.path == "" {
			if a.status != http.StatusOK || len(a.Errors) != 0 || executed.Load() != before+1 {
				t.Fatalf("%s: status %d, errors %+v: want it executed", c.vars, a.status, a.Errors)
			}
			continue
		}
		wantCode := "GRAPHQL_VALIDATION_FAILED"
		if strings.Contains(c.says, "Date") {
			wantCode = "BAD_USER_INPUT" // a scalar's own check
		}
		if a.status != http.StatusBadRequest || a.code() != wantCode || len(a.Data) != 0 {
			t.Fatalf("%s: status %d, code %q, data %s: want 400 %s without data", c.vars, a.status, a.code(), a.Data, wantCode)
		}
		if executed.Load() != before {
			t.Fatalf("%s: executed", c.vars)
		}
		if !strings.Contains(a.Errors[0].Message, c.says) || !strings.Contains(string(a.body), `"path":`+c.path) {
			t.Fatalf("%s: %s: want the path %s and %q", c.vars, a.body, c.path, c.says)
		}
	}
}

// A POST body with a content coding (gzip) is refused with 415 and
// Accept-Encoding: identity, as RFC 9110 asks, rather than read as if
// it were plain; identity, or none, is taken.
func TestRequestContentEncodingRefused(t *testing.T) {
	h := newTestHandler(t, nil, nil)
	for _, c := range []struct {
		coding string
		status int
	}{{"", http.StatusOK}, {"identity", http.StatusOK}, {"gzip", http.StatusUnsupportedMediaType}, {"identity, br", http.StatusUnsupportedMediaType}} {
		r := post(q(okQuery))
		if c.coding != "" {
			r.Header.Set("Content-Encoding", c.coding)
		}
		a := serve(t, h, r)
		if a.status != c.status {
			t.Errorf("Content-Encoding %q: status %d, want %d", c.coding, a.status, c.status)
		}
		if c.status == http.StatusUnsupportedMediaType && (a.code() != CodeUnsupportedMedia || a.header.Get("Accept-Encoding") != "identity") {
			t.Errorf("Content-Encoding %q: code %q, Accept-Encoding %q", c.coding, a.code(), a.header.Get("Accept-Encoding"))
		}
	}
}

// A document of several operations sent without operationName, or with a
// name none has, is refused saying so (gqlgen said "operation  not
// found").
func TestOperationNameRequired(t *testing.T) {
	h := newTestHandler(t, nil, nil)
	doc := `query A { episode(number: 1) { title } } query B { episode(number: 2) { title } }`
	for _, c := range []struct{ name, says string }{
		{"", "the document has 2 operations: name the one to run in operationName"},
		{"C", `the document has no operation named "C"`},
	} {
		body := jsonString(map[string]any{"query": doc, "operationName": c.name})
		a := serve(t, h, post(body, "Accept", gr))
		if a.status != http.StatusBadRequest || len(a.Errors) != 1 || a.Errors[0].Message != c.says {
			t.Errorf("operationName %q: %d %s, want 400 saying %q", c.name, a.status, a.body, c.says)
		}
	}
	if a := serve(t, h, post(jsonString(map[string]any{"query": doc, "operationName": "B"}), "Accept", gr)); a.status != http.StatusOK {
		t.Errorf("operationName B: %d %s", a.status, a.body)
	}
}

// An Int is 32 bits: a literal or a variable beyond, or a variable that is
// a string, is a request error naming where, not a value the resolvers
// see; an integer within range runs, and so does a literal integer given
// for a Float.
func TestIntIs32Bits(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
		input Range { from: Int }
		type Query { items(first: Int, ratio: Float, range: Range, list: [Int!]): Int }
	`})
	h := schemaHandler(schema, nil, nil)
	for _, c := range []struct {
		query, vars string
		says        string // "" for accepted
	}{
		{`{ items(first: 2147483647, ratio: 99999999999) }`, `{}`, ""},
		{`{ items(first: 2147483648) }`, `{}`, "2147483648 is outside an Int's range"},
		{`{ items(range: {from: -2147483649}) }`, `{}`, "-2147483649 is outside an Int's range"},
		{`{ items(list: [1, 99999999999]) }`, `{}`, "99999999999 is outside an Int's range"},
		{`{ ...F } fragment F on Query { items(first: 99999999999) }`, `{}`, "outside an Int's range"},
		{`query($n: Int) { items(first: $n) }`, `{"n": 5}`, ""},
		{`query($n: Int) { items(first: $n) }`, `{"n": 99999999999}`, "99999999999 is outside an Int's range"},
		{`query($n: Int) { items(first: $n) }`, `{"n": "5"}`, `"5" is a string, not an Int`},
		{`query($r: Range) { items(range: $r) }`, `{"r": {"from": -3000000000}}`, "outside an Int's range"},
		{`query($l: [Int!]) { items(list: $l) }`, `{"l": [1, 2, 3000000000]}`, "outside an Int's range"},
	} {
		a := serve(t, h, post(`{"query": `+jsonString(c.query)+`, "variables": `+c.vars+`}`, "Accept", gr))
		if c.says == "" {
			if a.status != http.StatusOK || len(a.Errors) != 0 {
				t.Errorf("%s %s: %d %s, want it run", c.query, c.vars, a.status, a.body)
			}
			continue
		}
		if a.status != http.StatusBadRequest || a.code() != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(a.Errors[0].Message, c.says) {
			t.Errorf("%s %s: %d %s, want 400 saying %q", c.query, c.vars, a.status, a.body, c.says)
		}
	}
}

// A custom scalar's literal is checked as its variables are: a Date that
// is not one, written in the document, is a request error with its
// location, not a field error once the field runs.
func TestScalarLiteralsChecked(t *testing.T) {
	h := schemaHandler(enumSchema, map[string]func(any) error{"Date": dateCheck}, nil)
	for query, bad := range map[string]bool{
		`{ items(on: "2025-01-01") }`:                     false,
		`{ items(filter: {after: "2025-01-01"}) }`:        false,
		`{ items(on: "someday") }`:                        true,
		`{ items(on: 20250101) }`:                         true,
		`{ items(filter: {after: "x"}) }`:                 true,
		`query($d: Date = "soon") { items(on: $d) }`:      true,
		`{ ...F } fragment F on Query { items(on: "x") }`: true,
	} {
		a := serve(t, h, post(q(query), "Accept", gr))
		switch {
		case !bad && (a.status != http.StatusOK || len(a.Errors) != 0):
			t.Errorf("%s: %d %s, want it run", query, a.status, a.body)
		case bad && (a.status != http.StatusBadRequest || a.code() != "BAD_USER_INPUT" || len(a.Data) != 0 || !strings.Contains(a.Errors[0].Message, "a Date is a string")):
			t.Errorf("%s: %d %s, want 400 refusing the Date", query, a.status, a.body)
		}
	}
}

// A POST body's parameters are read by their exact names, as GET's are:
// "Query" is not "query", a parameter given twice is refused, and other
// members are ignored.
func TestBodyParametersByExactName(t *testing.T) {
	h := newTestHandler(t, nil, nil)
	for body, says := range map[string]string{
		`{"Query": "{ episode(number: 1) { title } }"}`:                                       "the request has no query",
		`{"query": "{ episode(number: 1) { title } }", "query": "{ __typename }"}`:            `parameter "query" is given twice`,
		`{"query": "{ episode(number: 1) { title } }", "variables": {}, "variables": null}`:   `parameter "variables" is given twice`,
		`{"query": "{ episode(number: 1) { title } }", "extra": [1, {"a": "b"}], "QUERY": 1}`: "",
		`{"query": "{ episode(number: 1) { title } }"} trailing`:                              "not valid JSON",
	} {
		a := serve(t, h, post(body, "Accept", gr))
		if says == "" {
			if a.status != http.StatusOK || len(a.Errors) != 0 {
				t.Errorf("%s: %d %s, want it run", body, a.status, a.body)
			}
			continue
		}
		if a.status != http.StatusBadRequest || len(a.Errors) == 0 || !strings.Contains(a.Errors[0].Message, says) {
			t.Errorf("%s: %d %s, want 400 saying %q", body, a.status, a.body, says)
		}
	}
}

// What the lexer cannot read (an unclosed string, a bad escape, a control
// character) is said in words, at its location, not as gqlparser's
// "Unexpected <Invalid>".
func TestUnreadableDocumentsExplained(t *testing.T) {
	h := newTestHandler(t, nil, nil)
	for _, query := range []string{`{ episode(number: 1) { title(x: "unterminated) } }`, `{ episodes(after: "\q") { totalCount } }`, "{ episode \x01 }", `{ episodes(after: """never) { totalCount } }`} {
		a := serve(t, h, post(q(query), "Accept", gr))
		if a.status != http.StatusBadRequest || a.code() != "GRAPHQL_PARSE_FAILED" || strings.Contains(string(a.body), "Invalid>") ||
			!strings.Contains(a.Errors[0].Message, "cannot be read here") || !strings.Contains(string(a.body), `"locations"`) {
			t.Errorf("%q: %d %s", query, a.status, a.body)
		}
	}
}
