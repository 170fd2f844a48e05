package graphhttp

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// apq is gqlgen's automatic persisted queries (Apollo's protocol:
// extensions.persistedQuery.sha256Hash; an unknown hash is answered with
// PERSISTED_QUERY_NOT_FOUND so the client sends the query with its hash)
// whose other errors (bad extension data, a hash that does not match the
// query) get the code BAD_REQUEST instead of none.
type apq struct {
	inner extension.AutomaticPersistedQuery
}

var _ graphql.OperationParameterMutator = apq{}

// ExtensionName names the extension for gqlgen.
func (a apq) ExtensionName() string { return "graphhttp.APQ" }

// Validate fails when the extension has no cache.
func (a apq) Validate(s graphql.ExecutableSchema) error { return a.inner.Validate(s) }

// MutateOperationParameters replaces a known hash by its query, and
// remembers a query sent with its hash.
func (a apq) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if pq, ok := p.Extensions["persistedQuery"]; ok {
		if err := checkPersistedQuery(pq); err != nil {
			return err
		}
	}
	err := a.inner.MutateOperationParameters(ctx, p)
	if err != nil && codeOf(err) == "" {
		errcode.Set(err, CodeBadRequest)
	}
	return err
}

// checkPersistedQuery refuses extensions.persistedQuery data that is not
// an object with a sha256Hash of 64 hexadecimal digits, as BAD_REQUEST:
// gqlgen's extension would read a missing or non-string hash as an
// unknown one (PERSISTED_QUERY_NOT_FOUND), and the client would resend
// the query with the same bad data.
func checkPersistedQuery(pq any) *gqlerror.Error {
	m, ok := pq.(map[string]any)
	if !ok {
		return errorf(CodeBadRequest, "extensions.persistedQuery must be an object with version and sha256Hash")
	}
	h, ok := m["sha256Hash"].(string)
	if !ok || len(h) != 64 || strings.Trim(strings.ToLower(h), "0123456789abcdef") != "" {
		return errorf(CodeBadRequest, "extensions.persistedQuery.sha256Hash must be the query's SHA-256, 64 hexadecimal digits")
	}
	return nil
}
