package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// A rewrite is one named change to gqlgen's generated executor. apply
// returns an error saying what it did not find when gqlgen's output no
// longer has the text it rewrites; patch then names the rewrite.
type rewrite struct {
	name string
	// needs names rewrites whose output this one rewrites in turn.
	needs []string
	// runtime is the file of package graph the rewritten code calls, if
	// any; the header of the patched file names it.
	runtime string
	apply   func(src []byte) ([]byte, error)
}

// rewrites run in this order.
var rewrites = []rewrite{
	{
		// Lists: gqlgen runs one goroutine per element.
		name:    "lists run inline",
		runtime: "gqlpatch_slice.go",
		apply:   replace(replacement{"graphql.MarshalSliceConcurrently(", "marshalSliceIn(nil, "}),
	},
	{
		// Objects' resolver fields: queued, then run by FieldSet.Dispatch
		// with a goroutine each. Run inline instead. (The root's fields
		// keep gqlgen's path, with its root field middleware.)
		name: "resolver fields run inline",
		apply: replace(replacement{"out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })",
			"out.Values[i] = innerFunc(ctx, out)"}),
	},
	{
		// Objects (not the root) keep their values in a lean field set
		// rather than gqlgen's, without the field set, map, path and
		// ProcessDeferredGroup call gqlgen's @defer bookkeeping costs every
		// object even with nothing deferred; @defer,
		// refused by the transports, is answered with an error should an
		// operation reach the executor another way.
		name:    "lean field set",
		needs:   []string{"resolver fields run inline"},
		runtime: "gqlpatch_fieldset.go",
		apply:   rewriteObjects,
	},
	{
		// Every object collects the fields of its selection set through
		// gqlgen's per-operation cache, whose key costs two allocations
		// and a hash; a list's objects all share one selection set. Use
		// graph's memo, keyed by address.
		name:    "selection sets collected once per operation",
		runtime: "gqlpatch_memo.go",
		apply: replace(
			replacement{"type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n}",
				"type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n\tmemo operationMemo\n}"},
			replacement{"fields := graphql.CollectFields(ec.OperationContext, sel, ", "fields := ec.memo.collect(ec.OperationContext, sel, "},
		),
	},
	{
		// Every field context parses its field's arguments again, for
		// every object of a list. Parse them once per operation.
		name:    "arguments parsed once per operation",
		needs:   []string{"selection sets collected once per operation"},
		runtime: "gqlpatch_memo.go",
		apply: replaceRegexp(argsCall,
			"if fc.Args, err = ec.memo.arguments(field.Field, func() (map[string]any, error) { return $1(ctx, field.ArgumentMap(ec.Variables)) }); err != nil {"),
	},
	{
		// An answer's JSON grows from an empty buffer, doubling eight
		// times for a 12 KB answer. Size it from the answers before it,
		// and stop when it passes the size limit or the operation's
		// deadline (hence ctx). This one is behaviour, not only speed:
		// graph.WithResponseLimit relies on it.
		name:    "answer buffer sized and bounded",
		runtime: "gqlpatch_answer.go",
		apply: replace(
			replacement{"\t\t\tvar buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n\t\t\tresponse.Data = buf.Bytes()\n",
				"\t\t\tresponse.Data = marshalData(ctx, data)\n"},
			replacement{"import (\n\t\"bytes\"\n", "import (\n"},
		),
	},
	{
		// An answer's tree of field sets and lists is written once and
		// dropped; build it in slabs the next operation reuses.
		name:    "objects and lists from the operation's slabs",
		needs:   []string{"lists run inline", "lean field set", "selection sets collected once per operation", "answer buffer sized and bounded"},
		runtime: "gqlpatch_arena.go",
		apply: replace(
			replacement{"marshalSliceIn(nil, ctx, ", "marshalSliceIn(&ec.memo.slabs, ctx, "},
			replacement{"\tout := newFieldSet(fields)\n", "\tout := ec.memo.slabs.fieldSet(fields)\n"},
			replacement{"\t\t\tresponse.Data = marshalData(ctx, data)\n", "\t\t\tresponse.Data = marshalData(ctx, data)\n\t\t\tec.memo.slabs.release()\n"},
		),
	},
	{
		// A leaf field read straight off its Go value is marshalled at
		// once, without the field context, middleware, boxing and panic
		// guard gqlgen wraps around every field.
		name:  "leaf fields marshalled at once",
		apply: rewriteLeaves,
	},
	{
		// A string leaf is marshalled through a pointer to it, which fits
		// in an interface without an allocation, where gqlgen's string
		// marshaller allocates a closure per value.
		name:    "string leaves marshalled through a pointer",
		needs:   []string{"leaf fields marshalled at once"},
		runtime: "gqlpatch_leaves.go",
		apply: replace(
			replacementRegexp{regexp.MustCompile(`\breturn ec\.marshalNString2string\(ctx, field\.Selections, (obj\.\w+)\)\n`),
				"return (*jsonString)(&$1)\n"},
			replacementRegexp{regexp.MustCompile(`\breturn ec\.marshalOString2ᚖstring\(ctx, field\.Selections, (obj\.\w+)\)\n`),
				"if $1 == nil {\n\t\treturn graphql.Null\n\t}\n\treturn (*jsonString)($1)\n"},
			// The other optional strings (from methods) come through
			// the marshaller of *string: the same there.
			replacement{optionalString + "\t_ = sel\n\t_ = ctx\n\tres := graphql.MarshalString(*v)\n\treturn res\n}\n",
				optionalString + "\t_ = sel\n\t_ = ctx\n\treturn (*jsonString)(v)\n}\n"},
		),
	},
	{
		// A resolver field costs a field context and two contexts
		// carrying it (context.WithValue), each an allocation, and a
		// nested page resolves about a hundred: take them from the
		// operation's slabs. The field still runs through the field
		// middleware, in a copy of gqlgen's ResolveField.
		name:    "resolver fields' contexts from the operation's slabs",
		needs:   []string{"objects and lists from the operation's slabs"},
		runtime: "gqlpatch_resolve.go",
		apply: replace(
			replacement{"\treturn graphql.ResolveField(\n\t\tctx,\n\t\tec.OperationContext,\n", "\treturn resolveFieldIn(&ec.memo.slabs,\n\t\tctx,\n\t\tec.OperationContext,\n"},
			replacement{"\tfc = &graphql.FieldContext{\n", "\tfc = ec.memo.slabs.fieldContext()\n\t*fc = graphql.FieldContext{\n"},
			replacement{"\tctx = graphql.WithFieldContext(ctx, fc)\n", "\tctx = ec.memo.slabs.withFieldContext(ctx, fc)\n"},
		),
	},
	{
		// A list of objects that selects leaves alone (a guest's 100
		// episodes' codes and titles, a page's topics' names) costs an
		// element context, a field set and a switch on each field's name
		// per object. Write such a list in one pass.
		name:    "lists of leaves written at once",
		needs:   []string{"string leaves marshalled through a pointer", "objects and lists from the operation's slabs"},
		runtime: "gqlpatch_leaflist.go",
		apply:   rewriteLeafLists,
	},
}

// optionalString is how the marshaller of *string begins.
const optionalString = "func (ec *executionContext) marshalOString2ᚖstring(ctx context.Context, sel ast.SelectionSet, v *string) graphql.Marshaler {\n\tif v == nil {\n\t\treturn graphql.Null\n\t}\n"

// argsCall is how a field context parses its field's arguments.
var argsCall = regexp.MustCompile(`if fc\.Args, err = (ec\.field_\w+_args)\(ctx, field\.ArgumentMap\(ec\.Variables\)\); err != nil \{`)

// A replacer is one text edit of a rewrite; it fails when it finds nothing
// to replace.
type replacer interface {
	replace(src []byte) ([]byte, error)
}

// replacement replaces an exact text of gqlgen's templates.
type replacement struct{ from, to string }

func (r replacement) replace(src []byte) ([]byte, error) {
	if !bytes.Contains(src, []byte(r.from)) {
		return nil, fmt.Errorf("%q not found", firstLine(r.from))
	}
	return bytes.ReplaceAll(src, []byte(r.from), []byte(r.to)), nil
}

// replacementRegexp replaces every match of a pattern.
type replacementRegexp struct {
	from *regexp.Regexp
	to   string
}

func (r replacementRegexp) replace(src []byte) ([]byte, error) {
	if !r.from.Match(src) {
		return nil, fmt.Errorf("nothing matches %s", r.from)
	}
	return r.from.ReplaceAll(src, []byte(r.to)), nil
}

// replace applies each replacer, each required.
func replace(rs ...replacer) func([]byte) ([]byte, error) {
	return func(src []byte) ([]byte, error) {
		var err error
		for _, r := range rs {
			if src, err = r.replace(src); err != nil {
				return nil, err
			}
		}
		return src, nil
	}
}

func replaceRegexp(re *regexp.Regexp, to string) func([]byte) ([]byte, error) {
	return replace(replacementRegexp{re, to})
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
