package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"regexp"
	"sort"
	"strings"
)

// An object marshaller (not the root's) starts like this.
const objectHead = "\tout := graphql.NewFieldSet(fields)\n\tdeferredFieldSet := graphql.NewFieldSet(nil)\n\tdeferLabelToView := make(map[string]*graphql.FieldSetView)\n\tfor i, field := range fields {\n\t\tswitch field.Name {"

// objectEdits apply to each object marshaller; the required ones are in
// every object, the others only in objects with resolver fields.
var objectEdits = []struct {
	from     *regexp.Regexp
	to       string
	required bool
}{
	{regexp.MustCompile(regexp.QuoteMeta(objectHead)),
		"\tout := newFieldSet(fields)\n\tfor i, field := range fields {\n\t\tswitch field.Name {", true},
	{regexp.MustCompile(regexp.QuoteMeta("innerFunc := func(ctx context.Context, fs *graphql.FieldSet) (res graphql.Marshaler) {")),
		"innerFunc := func(ctx context.Context, fs *fieldSet) (res graphql.Marshaler) {", false},
	// The @defer branch of each resolver field: the transports refuse
	// @defer, so the field says so (graph.deferUnsupported).
	{regexp.MustCompile(`(?s)\n\t\t\tif field\.IsDeferred\(\) \{\n\t\t\t\tdeferredFieldSet\.AddField\(field\)\n.*?\n\t\t\t\tcontinue\n\t\t\t\}\n`),
		"\n\t\t\tif field.IsDeferred() {\n\t\t\t\tout.Values[i] = deferUnsupported(ctx, field)\n\t\t\t\tcontinue\n\t\t\t}\n", false},
	{regexp.MustCompile(regexp.QuoteMeta("\tout.Dispatch(ctx)\n\tif out.Invalids > 0 {\n\t\treturn graphql.Null\n\t}\n\n\tatomic.AddInt32(&ec.Deferred, int32(min(len(deferLabelToView), math.MaxInt32)))\n\n\tec.ProcessDeferredGroup(graphql.DeferredGroup{\n\t\tDefers:   deferLabelToView,\n\t\tPath:     graphql.GetPath(ctx),\n\t\tFieldSet: deferredFieldSet,\n\t\tContext:  ctx,\n\t})\n\n\treturn out\n")),
		"\tif out.Invalids > 0 {\n\t\treturn graphql.Null\n\t}\n\treturn out\n", true},
}

// edit replaces src[start:end].
type edit struct {
	start, end int
	text       string
}

func apply(src []byte, edits []edit) []byte {
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	for _, e := range edits {
		src = append(src[:e.start:e.start], append([]byte(e.text), src[e.end:]...)...)
	}
	return src
}

func parse(src []byte) (*token.FileSet, *ast.File, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, parser.ParseComments)
	return fset, f, err
}

// rewriteObjects ("lean field set") applies objectEdits to every object marshaller, each edit
// required in each object.
func rewriteObjects(src []byte) ([]byte, error) {
	fset, f, err := parse(src)
	if err != nil {
		return nil, err
	}
	var edits []edit
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		start, end := fset.Position(fn.Pos()).Offset, fset.Position(fn.End()).Offset
		text := string(src[start:end])
		if !strings.Contains(text, objectHead) {
			continue
		}
		for _, e := range objectEdits {
			if !e.from.MatchString(text) {
				if e.required {
					return nil, fmt.Errorf("object marshaller %s: nothing matches %s", fn.Name.Name, e.from)
				}
				continue
			}
			text = e.from.ReplaceAllString(text, e.to)
		}
		if strings.Contains(text, "graphql.FieldSet") || strings.Contains(text, "deferLabelToView") {
			return nil, fmt.Errorf("object marshaller %s: @defer bookkeeping left after rewriting", fn.Name.Name)
		}
		edits = append(edits, edit{start, end, text})
	}
	if len(edits) == 0 {
		return nil, fmt.Errorf("no object marshaller starts with %q", firstLine(objectHead))
	}
	return apply(src, edits), nil
}

// rewriteLeaves ("leaf fields marshalled at once") gives leaf fields read straight off their Go value a body
// that marshals the value at once. A field qualifies when its field
// context is a scalar's (no child fields), its resolver is `return obj.F,
// nil` or `return obj.M(), nil`, it has no directive (the middleware chain
// is nil), and it cannot be a null in a non-null position (a pointer type
// declared non-null keeps gqlgen's path, which reports "must not be null"
// with the field's path).
func rewriteLeaves(src []byte) ([]byte, error) {
	fset, f, err := parse(src)
	if err != nil {
		return nil, err
	}
	scalarContexts := map[string]bool{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "fieldContext_") || len(fn.Body.List) != 1 {
			continue
		}
		if ret, ok := fn.Body.List[0].(*ast.ReturnStmt); ok && len(ret.Results) == 1 && isCall(ret.Results[0], "graphql", "NewScalarFieldContext") {
			scalarContexts[fn.Name.Name] = true
		}
	}
	var edits []edit
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "_") || len(fn.Body.List) != 1 {
			continue
		}
		body, ok := leafBody(fset, fn, scalarContexts)
		if !ok {
			continue
		}
		edits = append(edits, edit{fset.Position(fn.Body.Pos()).Offset, fset.Position(fn.Body.End()).Offset, body})
	}
	if len(edits) == 0 {
		return nil, fmt.Errorf("no leaf field resolved by graphql.ResolveField(ctx, oc, field, fieldContext, resolver, nil, marshal, recover, nonNull) off obj")
	}
	return apply(src, edits), nil
}

func leafBody(fset *token.FileSet, fn *ast.FuncDecl, scalarContexts map[string]bool) (string, bool) {
	ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 || !isCall(ret.Results[0], "graphql", "ResolveField") {
		return "", false
	}
	args := ret.Results[0].(*ast.CallExpr).Args
	if len(args) != 9 {
		return "", false
	}
	// args: ctx, oc, field, fieldContext, resolver, middleware, marshal, recover, nonNull
	if !scalarContexts[calledMethod(onlyReturn(args[3]))] {
		return "", false
	}
	value := onlyReturn(args[4])
	if value == nil || !readsObj(value) {
		return "", false
	}
	if id, ok := args[5].(*ast.Ident); !ok || id.Name != "nil" {
		return "", false
	}
	marshal := calledMethod(onlyReturn(args[6]))
	lit, ok := args[6].(*ast.FuncLit)
	if marshal == "" || !ok || len(lit.Type.Params.List) != 3 {
		return "", false
	}
	_, pointer := lit.Type.Params.List[2].Type.(*ast.StarExpr)
	nonNull, ok := args[8].(*ast.Ident)
	if !ok || (nonNull.Name == "true" && pointer) {
		return "", false
	}
	var v bytes.Buffer
	if err := printer.Fprint(&v, fset, value); err != nil {
		return "", false
	}
	return fmt.Sprintf("{\n\treturn ec.%s(ctx, field.Selections, %s)\n}", marshal, v.String()), true
}

// onlyReturn is the single value a function literal `func(...) { return X[, nil] }` returns.
func onlyReturn(e ast.Expr) ast.Expr {
	lit, ok := e.(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return nil
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) == 0 || len(ret.Results) > 2 {
		return nil
	}
	if len(ret.Results) == 2 {
		if id, ok := ret.Results[1].(*ast.Ident); !ok || id.Name != "nil" {
			return nil
		}
	}
	return ret.Results[0]
}

// calledMethod is M in `ec.M(...)`.
func calledMethod(e ast.Expr) string {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return ""
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "ec" {
		return ""
	}
	return sel.Sel.Name
}

// readsObj reports whether e is obj.F or obj.M().
func readsObj(e ast.Expr) bool {
	if call, ok := e.(*ast.CallExpr); ok {
		if len(call.Args) != 0 {
			return false
		}
		e = call.Fun
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "obj"
}

func isCall(e ast.Expr, pkg, name string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg && sel.Sel.Name == name
}
