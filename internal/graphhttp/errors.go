package graphhttp

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes this package puts in extensions.code. Requests refused before
// GraphQL sees them get the HTTP status beside each code, whatever the
// response's media type; the others are GraphQL request errors, answered
// with 200 under application/json and 400 under
// application/graphql-response+json, as the GraphQL-over-HTTP spec asks.
const (
	CodeBadRequest         = "BAD_REQUEST"            // 400: not a GraphQL-over-HTTP request (bad JSON, bad parameter types, invalid UTF-8)
	CodeBatching           = "BATCHING_NOT_SUPPORTED" // 400: a JSON array of requests
	CodeMethodNotAllowed   = "METHOD_NOT_ALLOWED"     // 405: a method other than GET, POST, OPTIONS, or a mutation over GET
	CodeNotAcceptable      = "NOT_ACCEPTABLE"         // 406: Accept names no JSON media type
	CodePayloadTooLarge    = "PAYLOAD_TOO_LARGE"      // 413: body over the size limit
	CodeURITooLong         = "URI_TOO_LONG"           // 414: GET query string over the size limit
	CodeUnsupportedMedia   = "UNSUPPORTED_MEDIA_TYPE" // 415: POST body not application/json in UTF-8
	CodeThrottled          = "THROTTLED"              // 429: the client's rate limit
	CodeMaxTokens          = "MAX_TOKENS_EXCEEDED"
	CodeMaxDepth           = "MAX_DEPTH_EXCEEDED"
	CodeMaxAliases         = "MAX_ALIASES_EXCEEDED"
	CodeMaxDirectives      = "MAX_DIRECTIVES_EXCEEDED"
	CodeMaxDuplicates      = "MAX_DUPLICATE_FIELDS_EXCEEDED"
	CodeMaxFields          = "MAX_FIELDS_EXCEEDED" // fragments expand to more than 100,000 field selections
	CodeMaxCost            = "MAX_COST_EXCEEDED"
	CodeIntrospection      = "INTROSPECTION_DISABLED"
	CodeIncremental        = "INCREMENTAL_DELIVERY_NOT_SUPPORTED" // @defer or @stream
	CodePersistedNotFound  = "PERSISTED_QUERY_NOT_FOUND"
	CodeTooManyErrors      = "TOO_MANY_ERRORS"
	CodeTimeout            = "TIMEOUT"            // the operation's deadline passed
	CodeResponseTooLarge   = "RESPONSE_TOO_LARGE" // the answer's data is over Options.MaxResponseBytes
	codeInternal           = "INTERNAL"
	mediaJSON              = "application/json"
	mediaGraphQLResponse   = "application/graphql-response+json"
	contentTypeJSON        = mediaJSON + "; charset=utf-8"
	contentTypeGraphQLResp = mediaGraphQLResponse + "; charset=utf-8"
)

// httpStatus is the fixed HTTP status of the codes that refuse a request
// before it is a GraphQL request.
var httpStatus = map[string]int{
	CodeBadRequest:       http.StatusBadRequest,
	CodeBatching:         http.StatusBadRequest,
	CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	CodeNotAcceptable:    http.StatusNotAcceptable,
	CodePayloadTooLarge:  http.StatusRequestEntityTooLarge,
	CodeURITooLong:       http.StatusRequestURITooLong,
	CodeUnsupportedMedia: http.StatusUnsupportedMediaType,
	CodeThrottled:        http.StatusTooManyRequests,
}

// errorf returns a GraphQL error carrying code in extensions.code.
func errorf(code, format string, a ...any) *gqlerror.Error {
	err := &gqlerror.Error{Message: fmt.Sprintf(format, a...)}
	errcode.Set(err, code)
	return err
}

// codeOf returns an error's extensions.code, "" when it has none.
func codeOf(err *gqlerror.Error) string {
	if err == nil {
		return ""
	}
	c, _ := err.Extensions["code"].(string)
	return c
}

// statusFor returns the HTTP status of a response that carries errs and,
// when hasData is false, no data entry. Under application/json every
// GraphQL request error is answered with 200, under
// application/graphql-response+json a response without data with 400
// (500 for an internal error).
func statusFor(errs gqlerror.List, hasData bool, media string) int {
	for _, e := range errs {
		if s, ok := httpStatus[codeOf(e)]; ok {
			return s
		}
	}
	if hasData || media != mediaGraphQLResponse || len(errs) == 0 {
		return http.StatusOK
	}
	for _, e := range errs {
		switch codeOf(e) {
		case codeInternal:
			return http.StatusInternalServerError
		case CodeTimeout:
			return http.StatusGatewayTimeout
		}
	}
	return http.StatusBadRequest
}

// WithoutSuggestions wraps an error presenter so that no message suggests
// names ("Did you mean ...?"): with introspection off, suggestions would
// let a client rebuild the schema one guess at a time. gqlgen's
// SetDisableSuggestion covers two validation rules; this covers every
// message, argument names, type names and enum values included.
func WithoutSuggestions(present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := present(ctx, err)
		if e != nil {
			if i := strings.Index(e.Message, " Did you mean"); i >= 0 {
				e.Message = e.Message[:i]
			}
		}
		return e
	}
}
