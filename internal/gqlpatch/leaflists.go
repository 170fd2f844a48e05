package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/printer"
	"regexp"
	"sort"
	"strings"
)

// rewriteLeafLists ("lists of leaves written at once") lets every list of
// objects whose selection is leaves alone be written in one pass
// (graph.leafList), without an object marshaller, field set and element
// context per object. It gives each object type a table of its plain
// leaf fields (those whose marshaller, as the leaf rewrites left it, is
// one of plainLeaves), and each marshaller of a list of that type's
// non-null objects a first statement that hands the list to leafList,
// which declines (and the list is marshalled as before) unless every
// field selected is in the table or __typename.
func rewriteLeafLists(src []byte) ([]byte, error) {
	fset, f, err := parse(src)
	if err != nil {
		return nil, err
	}
	exprText := func(e ast.Expr) string {
		var b bytes.Buffer
		if err := printer.Fprint(&b, fset, e); err != nil {
			return ""
		}
		return b.String()
	}
	type object struct {
		goType       string // of the objects, without the pointer
		implementors string // the variable naming the types it satisfies
		leaves       []string
	}
	objects := map[string]*object{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !isMethodOfEC(fn) || !strings.HasPrefix(fn.Name.Name, "_") || strings.HasPrefix(fn.Name.Name, "__") ||
			strings.Contains(fn.Name.Name[1:], "_") {
			continue
		}
		obj, ok := pointerParam(fn, "sel", "obj")
		if !ok {
			continue
		}
		if impl := collectedFor(fn); impl != "" {
			objects[fn.Name.Name[1:]] = &object{goType: exprText(obj), implementors: impl}
		}
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !isMethodOfEC(fn) {
			continue
		}
		name := fn.Name.Name
		typ, field, ok := strings.Cut(strings.TrimPrefix(name, "_"), "_")
		o := objects[typ]
		if !ok || o == nil || !strings.HasPrefix(name, "_") {
			continue
		}
		obj, ok := pointerParam(fn, "field", "obj")
		body := string(src[fset.Position(fn.Body.Pos()).Offset:fset.Position(fn.Body.End()).Offset])
		if !ok || exprText(obj) != o.goType || !isPlainLeaf(body) {
			continue
		}
		o.leaves = append(o.leaves, field)
	}
	var edits []edit
	used := map[string]bool{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !isMethodOfEC(fn) {
			continue
		}
		m := listMarshaller.FindStringSubmatch(fn.Name.Name)
		if m == nil {
			continue
		}
		o := objects[m[1]]
		elem, ok := sliceParam(fn)
		if o == nil || len(o.leaves) == 0 || !ok || exprText(elem) != o.goType || !startsWithSlice(fn.Body) {
			continue
		}
		at := fset.Position(fn.Body.Lbrace).Offset + 1
		edits = append(edits, edit{at, at, fmt.Sprintf("\n\tif m := leafList(ec, &ec.memo, ctx, sel, v, &leavesOf%s); m != nil {\n\t\treturn m\n\t}", m[1])})
		used[m[1]] = true
	}
	if len(edits) == 0 {
		return nil, fmt.Errorf("no marshaller of a list of objects with leaf fields starts with marshalSliceIn")
	}
	names := make([]string, 0, len(used))
	for name := range used {
		names = append(names, name)
	}
	sort.Strings(names)
	var tables strings.Builder
	for _, name := range names {
		o := objects[name]
		sort.Strings(o.leaves)
		fmt.Fprintf(&tables, "\n// leavesOf%[1]s are %[1]s's leaf fields, for leafList.\nvar leavesOf%[1]s = leafTable[%[2]s]{name: %[3]q, implementors: %[4]s, fields: map[string]leafField[%[2]s]{\n",
			name, o.goType, name, o.implementors)
		for _, l := range o.leaves {
			fmt.Fprintf(&tables, "\t%q: (*executionContext)._%s_%s,\n", l, name, l)
		}
		tables.WriteString("}}\n")
	}
	out := apply(src, edits)
	return append(out, tables.String()...), nil
}

// listMarshaller names the marshaller of a non-null list of non-null
// objects of a type.
var listMarshaller = regexp.MustCompile(`^marshalN([A-Za-z0-9]+)2ᚕᚖ.*ᚄ$`)

func isMethodOfEC(fn *ast.FuncDecl) bool {
	if fn.Recv == nil || len(fn.Recv.List) != 1 || fn.Body == nil {
		return false
	}
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "executionContext"
}

// pointerParam returns X when fn's parameters are (ctx, second, last *X).
func pointerParam(fn *ast.FuncDecl, second, last string) (ast.Expr, bool) {
	const n = 3
	var names []string
	var types []ast.Expr
	for _, p := range fn.Type.Params.List {
		for _, name := range p.Names {
			names = append(names, name.Name)
			types = append(types, p.Type)
		}
	}
	if len(names) != n || names[0] != "ctx" || names[1] != second || names[n-1] != last {
		return nil, false
	}
	star, ok := types[n-1].(*ast.StarExpr)
	if !ok {
		return nil, false
	}
	return star.X, true
}

// sliceParam returns X when fn's parameters are (ctx, sel, v []*X).
func sliceParam(fn *ast.FuncDecl) (ast.Expr, bool) {
	params := fn.Type.Params.List
	if len(params) != 3 || len(params[2].Names) != 1 || params[2].Names[0].Name != "v" || params[1].Names[0].Name != "sel" {
		return nil, false
	}
	arr, ok := params[2].Type.(*ast.ArrayType)
	if !ok || arr.Len != nil {
		return nil, false
	}
	star, ok := arr.Elt.(*ast.StarExpr)
	if !ok {
		return nil, false
	}
	return star.X, true
}

// collectedFor returns the implementors variable of an object marshaller
// (`fields := ec.memo.collect(ec.OperationContext, sel, xImplementors)`).
func collectedFor(fn *ast.FuncDecl) string {
	if len(fn.Body.List) == 0 {
		return ""
	}
	as, ok := fn.Body.List[0].(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 {
		return ""
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok || len(call.Args) != 3 {
		return ""
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "collect" {
		return ""
	}
	id, ok := call.Args[2].(*ast.Ident)
	if !ok || !strings.HasSuffix(id.Name, "Implementors") {
		return ""
	}
	return id.Name
}

// plainLeaves are the bodies of the field marshallers a list of leaves
// may call: a string read off the object (through a pointer, as the
// string-leaf rewrite writes it), or a built-in scalar, a date or a time
// read off it through gqlgen's marshaller of that scalar. None of them
// runs a resolver, adds an error or returns a null where the schema says
// non-null (a marshaller of a non-null pointer, a float, whose NaN is an
// error, or an object, union or list is left out): each writes what the
// object-by-object path writes, with nothing to report.
var plainLeaves = []*regexp.Regexp{
	regexp.MustCompile(`^\{\s*return \(\*jsonString\)\(&obj\.\w+\)\s*\}$`),
	regexp.MustCompile(`^\{\s*if obj\.(\w+) == nil \{\s*return graphql\.Null\s*\}\s*return \(\*jsonString\)\(obj\.\w+\)\s*\}$`),
	regexp.MustCompile(`^\{\s*return ec\.marshal(N(String2string|ID2string|Int2int(32|64)?|Boolean2bool)|O(String2ᚖstring|Int2ᚖint(32|64)?|Boolean2ᚖbool|DateTime2ᚖtimeᚐTime|Date2ᚖ\S*ᚐDate))\(ctx, field\.Selections, obj\.\w+(\(\))?\)\s*\}$`),
}

// isPlainLeaf reports whether a field marshaller's body is one of
// plainLeaves.
func isPlainLeaf(body string) bool {
	for _, re := range plainLeaves {
		if re.MatchString(body) {
			return true
		}
	}
	return false
}

// startsWithSlice reports whether a list marshaller begins with
// `ret := marshalSliceIn(...)`.
func startsWithSlice(body *ast.BlockStmt) bool {
	if len(body.List) == 0 {
		return false
	}
	as, ok := body.List[0].(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 {
		return false
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	return ok && id.Name == "marshalSliceIn"
}
