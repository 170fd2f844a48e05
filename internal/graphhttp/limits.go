package graphhttp

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// costExtension is where an operation's Cost waits in its stats between
// variable coercion and the response.
const costExtension = "graphhttp.cost"

// limits is a gqlgen handler extension. Before the executor parses and
// validates a document it checks the document's shape (tokens, depth,
// aliases, directives, repeated fields, introspection, mutations over GET),
// with the shape cached beside the parsed document; after variables are
// coerced it checks the operation's cost; and it reports the cost in every
// response's extensions.cost.
type limits struct {
	opts   *Options
	cache  *queryCache
	model  costModel
	schema *ast.Schema // from Validate
}

var (
	_ graphql.OperationParameterMutator = (*limits)(nil)
	_ graphql.OperationContextMutator   = (*limits)(nil)
	_ graphql.ResponseInterceptor       = (*limits)(nil)
)

// ExtensionName names the extension for gqlgen.
func (l *limits) ExtensionName() string { return "graphhttp.Limits" }

// Validate accepts every schema, and keeps it for checkVariables.
func (l *limits) Validate(es graphql.ExecutableSchema) error {
	l.schema = es.Schema()
	return nil
}

// getRequestKey marks the context of a GET request, on which only queries
// may run.
type getRequestKey struct{}

// MutateOperationParameters refuses a document whose shape is over a limit,
// before it is validated. It returns nil for a request without a query (the
// executor reports it).
func (l *limits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	s := l.cache.shape(p.Query)
	if s == nil {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.opts.MaxTokens)
		if err != nil {
			var gerr *gqlerror.Error
			if !errors.As(err, &gerr) {
				gerr = gqlerror.Wrap(err)
			}
			if strings.HasPrefix(gerr.Message, "exceeded token limit") {
				e := errorf(CodeMaxTokens, "the document has more than %d tokens; send a smaller query", l.opts.MaxTokens)
				e.Extensions["limit"] = l.opts.MaxTokens
				return e
			}
			if strings.Contains(gerr.Message, "<Invalid>") {
				// gqlparser's lexer reports what it could not read as an
				// <Invalid> token: say what that is.
				gerr.Message = "the document cannot be read here: a string not closed on its line (or a block string not closed at all), an escape a string does not allow, or a character GraphQL does not allow"
			}
			errcode.Set(gerr, errcode.ParseFailed)
			return gerr
		}
		s = measure(doc, l.opts.MaxDuplicateFields)
		if err := l.check(s); err != nil {
			return err
		}
		l.cache.setShape(p.Query, s)
	} else if err := l.check(s); err != nil {
		return err
	}
	if p.OperationName == "" && len(s.ops) > 1 {
		return errorf(errcode.ValidationFailed, "the document has %d operations: name the one to run in operationName", len(s.ops))
	}
	if p.OperationName != "" {
		if _, ok := s.operation(p.OperationName); !ok {
			return errorf(errcode.ValidationFailed, "the document has no operation named %q", p.OperationName)
		}
	}
	if ctx.Value(getRequestKey{}) != nil {
		if op, ok := s.operation(p.OperationName); ok && op != ast.Query {
			return errorf(CodeMethodNotAllowed, "a %s cannot be sent with GET; use POST", op)
		}
	}
	return nil
}

// check returns the error of the first limit s is over, nil when it is
// within them all.
func (l *limits) check(s *shape) *gqlerror.Error {
	o := l.opts
	over := func(code string, limit int, what string) *gqlerror.Error {
		// The measure may stop counting past the limit: say "over", not
		// a count it did not finish.
		e := errorf(code, "%s is over the limit of %d", what, limit)
		e.Extensions["limit"] = limit
		return e
	}
	switch {
	case s.introspects && !o.Introspection:
		return errorf(CodeIntrospection, "introspection is disabled on this server")
	case s.incremental:
		return errorf(CodeIncremental, "@defer and @stream are not supported: this server answers with one JSON document; remove the directive")
	case o.MaxDepth > 0 && s.depth > o.MaxDepth:
		return over(CodeMaxDepth, o.MaxDepth, "the query's depth")
	case o.MaxAliases > 0 && s.aliases > o.MaxAliases:
		return over(CodeMaxAliases, o.MaxAliases, "the number of aliases in the operation")
	case o.MaxDirectives > 0 && s.directives > o.MaxDirectives:
		return over(CodeMaxDirectives, o.MaxDirectives, "the number of directives in the operation")
	case s.expanded > 0:
		e := errorf(CodeMaxFields, "the document selects more than %d fields once its fragments are spread", maxExpanded)
		e.Extensions["limit"] = maxExpanded
		return e
	case o.MaxDuplicateFields > 0 && s.duplicates > o.MaxDuplicateFields:
		return over(CodeMaxDuplicates, o.MaxDuplicateFields,
			"the number of times one field is selected in one selection set (with the selections of same-named fields merged)")
	}
	return nil
}

// MutateOperationContext computes the operation's cost with its variables
// and refuses it when the cost is over the limit or over what is left of
// the client's cost budget; otherwise it takes the cost from the budget.
func (l *limits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if err := checkLiterals(opCtx.Doc, l.opts.InputScalars); err != nil {
		return err
	}
	if err := checkVariables(l.schema, opCtx.Operation, opCtx.Variables, l.opts.InputScalars); err != nil {
		return err
	}
	c := &Cost{Requested: l.model.operationCost(opCtx.Operation, opCtx.Variables), Maximum: l.opts.MaxCost}
	opCtx.Stats.SetExtension(costExtension, c)
	if c.Maximum > 0 && c.Requested > c.Maximum {
		e := errorf(CodeMaxCost, "the operation's cost is %d, over the limit of %d: ask for fewer items (first/last) or fewer nested lists", c.Requested, c.Maximum)
		e.Extensions["cost"] = c
		return e
	}
	return charge(ctx, c)
}

// InterceptResponse adds the operation's cost to the response's extensions.
// An operation stopped by its deadline (the executor stops lists past it,
// with TIMEOUT errors) is answered with one TIMEOUT error and no data, as
// when the deadline passes before execution starts: what was built before
// the deadline is an arbitrary part of the answer.
func (l *limits) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && slices.ContainsFunc(resp.Errors, func(e *gqlerror.Error) bool { return codeOf(e) == CodeTimeout }) {
		resp.Data = nil
		resp.Errors = gqlerror.List{errorf(CodeTimeout, "the operation took too long and was stopped")}
	}
	if c, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(costExtension).(*Cost); ok {
		if resp.Extensions == nil {
			resp.Extensions = make(map[string]any, 1)
		}
		resp.Extensions["cost"] = c
	}
	return resp
}
