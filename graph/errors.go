package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"podcastgraph/internal/podcast"
)

// Error codes carried in extensions.code.
const (
	CodeBadUserInput = "BAD_USER_INPUT"
	CodeInternal     = "INTERNAL"
	CodeNotFound     = "NOT_FOUND"
)

// Error is a failure the client can act on: its message is shown as is and
// its code goes to extensions.code. Argument names the argument at fault.
type Error struct {
	Code     string
	Message  string
	Argument string
}

// Error returns the message shown to the client.
func (e *Error) Error() string { return e.Message }

// badArg reports a bad argument value.
func badArg(arg, format string, a ...any) *Error {
	return &Error{Code: CodeBadUserInput, Argument: arg, Message: fmt.Sprintf("argument %q: ", arg) + fmt.Sprintf(format, a...)}
}

// ErrorPresenter turns resolver errors into GraphQL errors: known errors
// keep their message and code; anything else is logged with the request's
// details and replaced by a generic INTERNAL error, so Go error text never
// reaches a client.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var e *Error
		if errors.As(err, &e) {
			gerr.Message = e.Message
			setCode(gerr, e.Code)
			if e.Argument != "" {
				gerr.Extensions["argument"] = e.Argument
			}
			return gerr
		}
		if errors.Is(err, podcast.ErrInvalid) {
			// A scalar that did not parse: gqlgen's message names the
			// argument path, ours says what is wrong.
			gerr.Message = strings.TrimPrefix(gerr.Message, podcast.ErrInvalid.Error()+": ")
			setCode(gerr, CodeBadUserInput)
			return gerr
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Extensions["code"] != nil {
			return gerr // parse, validation and argument errors from gqlgen
		}
		if errors.As(err, &ge) && ge.Err == nil && ge.Rule != "" {
			setCode(gerr, "GRAPHQL_VALIDATION_FAILED")
			return gerr
		}
		if errors.Is(err, context.DeadlineExceeded) {
			gerr.Message = "the operation took too long and was stopped"
			setCode(gerr, "TIMEOUT")
			return gerr
		}
		if errors.Is(err, context.Canceled) {
			gerr.Message = "the request was cancelled"
			setCode(gerr, "CANCELLED")
			return gerr
		}
		log.ErrorContext(ctx, "resolver error", "path", gerr.Path.String(), "err", err)
		gerr.Message = "internal error"
		gerr.Extensions = map[string]any{"code": CodeInternal}
		return gerr
	}
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// Recover turns a resolver panic into an INTERNAL error and logs it.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "resolver panic", "panic", fmt.Sprint(p))
		return &Error{Code: CodeInternal, Message: "internal error"}
	}
}
