package graph

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// pieces marshals n copies of piece, counting what it got to write.
type pieces struct {
	piece   []byte
	n       int
	written int
}

func (p *pieces) MarshalGQL(w io.Writer) {
	for range p.n {
		w.Write(p.piece)
		p.written += len(p.piece)
	}
}

func TestMarshalDataStops(t *testing.T) {
	piece := bytes.Repeat([]byte("x"), 100)
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		limit    int64
		n        int
		code     string
		maxWrite int // most bytes the marshaller may write before it is stopped
	}{
		{"under the limit", context.Background(), 1 << 20, 100, "", 100 * 100},
		{"no limit", context.Background(), 0, 10_000, "", 10_000 * 100},
		{"over the limit", context.Background(), 10_000, 10_000, CodeResponseTooLarge, 10_000 + 100},
		{"over a limit past the first check", context.Background(), 200_000, 10_000, CodeResponseTooLarge, 200_000 + 100},
		{"deadline passed", expired, 0, 10_000, "TIMEOUT", checkEvery + 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := graphql.WithResponseContext(tc.ctx, ErrorPresenter(slog.New(slog.DiscardHandler)), nil)
			if tc.limit != 0 {
				ctx = WithResponseLimit(ctx, tc.limit)
			}
			p := &pieces{piece: piece, n: tc.n}
			data := marshalData(ctx, p)
			errs := graphql.GetErrors(ctx)
			if tc.code == "" {
				if len(errs) != 0 || len(data) != tc.n*len(piece) {
					t.Fatalf("%d bytes, errors %v; want %d bytes", len(data), errs, tc.n*len(piece))
				}
				return
			}
			if data != nil {
				t.Errorf("%d bytes of data kept; want none", len(data))
			}
			if len(errs) != 1 || errs[0].Extensions["code"] != tc.code {
				t.Fatalf("errors %v; want one %s", errs, tc.code)
			}
			if p.written > tc.maxWrite {
				t.Errorf("the marshaller wrote %d bytes before it was stopped; want at most %d", p.written, tc.maxWrite)
			}
		})
	}
}

// A panic that is not the writer's own goes on up.
func TestMarshalDataRepanics(t *testing.T) {
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("recovered %v, want the marshaller's panic", p)
		}
	}()
	ctx := graphql.WithResponseContext(context.Background(), ErrorPresenter(slog.New(slog.DiscardHandler)), nil)
	marshalData(ctx, graphql.WriterFunc(func(io.Writer) { panic("boom") }))
}
