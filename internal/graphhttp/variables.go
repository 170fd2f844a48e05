package graphhttp

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// codeBadUserInput is the code of a custom scalar's value its check
// refuses: the code the executor gives a bad argument, which clients of
// the server already handle, on a request error.
const codeBadUserInput = "BAD_USER_INPUT"

// checkVariables refuses, as a request error, variable values that
// gqlparser's coercion lets through and the executor would then fail on
// field by field: an enum value in another case (gqlparser compares enum
// values ignoring case, gqlgen's enums do not: "asc" for ASC), an enum
// value that is not a string, and a custom scalar's value that its
// InputScalars check refuses (a Date that is not a date). It walks lists
// and input objects.
func checkVariables(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any, scalars map[string]func(any) error) *gqlerror.Error {
	if schema == nil || op == nil {
		return nil
	}
	for _, v := range op.VariableDefinitions {
		val, ok := vars[v.Variable]
		if !ok {
			continue
		}
		if err := checkValue(schema, v.Type, val, ast.Path{ast.PathName("variable"), ast.PathName(v.Variable)}, scalars); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(schema *ast.Schema, typ *ast.Type, val any, path ast.Path, scalars map[string]func(any) error) *gqlerror.Error {
	if val == nil || typ == nil {
		return nil
	}
	if typ.Elem != nil {
		// Coercion may have made the list a typed slice ([]string) or a
		// single value a list of one.
		list := reflect.ValueOf(val)
		if list.Kind() != reflect.Slice {
			return checkValue(schema, typ.Elem, val, path, scalars)
		}
		for i := range list.Len() {
			if err := checkValue(schema, typ.Elem, list.Index(i).Interface(), append(path[:len(path):len(path)], ast.PathIndex(i)), scalars); err != nil {
				return err
			}
		}
		return nil
	}
	def := schema.Types[typ.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.Enum:
		if s, ok := val.(string); ok && def.EnumValues.ForName(s) != nil {
			return nil
		}
		names := make([]string, len(def.EnumValues))
		for i, ev := range def.EnumValues {
			names[i] = ev.Name
		}
		return variableError(path, "%s is not a value of %s: one of %s, as written (enum values are case-sensitive)",
			describe(val), def.Name, strings.Join(names, ", "))
	case ast.InputObject:
		fields, ok := val.(map[string]any)
		if !ok {
			return nil // gqlparser refuses it
		}
		for _, f := range def.Fields {
			if x, ok := fields[f.Name]; ok {
				if err := checkValue(schema, f.Type, x, append(path[:len(path):len(path)], ast.PathName(f.Name)), scalars); err != nil {
					return err
				}
			}
		}
	case ast.Scalar:
		if def.Name == "Int" {
			if msg := int32Problem(val); msg != "" {
				return variableError(path, "%s", msg)
			}
			return nil
		}
		if check := scalars[def.Name]; check != nil {
			if err := check(val); err != nil {
				e := variableError(path, "%v", err)
				errcode.Set(e, codeBadUserInput)
				return e
			}
		}
	}
	return nil
}

// variableError is a request error about a variable's value at path.
func variableError(path ast.Path, format string, a ...any) *gqlerror.Error {
	err := &gqlerror.Error{Message: fmt.Sprintf(format, a...), Path: path}
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// describe quotes a value as JSON shows it: a string in quotes, a number
// or boolean as it is, an object or list by its kind.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	default:
		return fmt.Sprint(x)
	}
}

// int32Problem says what keeps a variable's value from being a GraphQL
// Int, a 32-bit signed integer ("" when nothing does): gqlparser takes
// any integer Go can hold, and integer strings.
func int32Problem(val any) string {
	var n float64
	switch x := val.(type) {
	case int:
		n = float64(x)
	case int32:
		return ""
	case int64:
		n = float64(x)
	case float64:
		n = x
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return fmt.Sprintf("%s is not an Int", x)
		}
		n = f
	case string:
		return fmt.Sprintf("%q is a string, not an Int", x)
	default:
		return fmt.Sprintf("%s is not an Int", describe(val))
	}
	if n != math.Trunc(n) {
		return fmt.Sprintf("%v is not an integer", val)
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return outsideInt(val)
	}
	return ""
}

// outsideInt says that val, a number, does not fit an Int.
func outsideInt(val any) string {
	return fmt.Sprintf("%v is outside an Int's range (a 32-bit signed integer, %d to %d)", val, math.MinInt32, math.MaxInt32)
}

// literalError is a request error with code about the literal v, at its
// place in the document.
func literalError(v *ast.Value, code, msg string) *gqlerror.Error {
	e := &gqlerror.Error{Message: msg}
	if v.Position != nil {
		e.Locations = []gqlerror.Location{{Line: v.Position.Line, Column: v.Position.Column}}
	}
	errcode.Set(e, code)
	return e
}

// checkLiterals refuses, in every argument of the document, integer
// literals given where an Int is expected that do not fit its 32 bits
// (gqlparser's validation takes any integer), and literals of a custom
// scalar that its InputScalars check refuses (a Date that is not one), as
// a request error naming where.
func checkLiterals(doc *ast.QueryDocument, scalars map[string]func(any) error) *gqlerror.Error {
	if doc == nil {
		return nil
	}
	var bad *gqlerror.Error
	var walkValue func(v *ast.Value)
	walkValue = func(v *ast.Value) {
		if v == nil || bad != nil {
			return
		}
		if check := scalars[expectedName(v)]; check != nil && (v.Kind == ast.StringValue || v.Kind == ast.IntValue || v.Kind == ast.FloatValue || v.Kind == ast.BooleanValue) {
			var val any = v.Raw
			if v.Kind != ast.StringValue {
				val = json.Number(v.Raw)
			}
			if err := check(val); err != nil {
				bad = literalError(v, codeBadUserInput, err.Error())
			}
			return
		}
		if v.Kind == ast.IntValue && v.ExpectedType != nil && v.ExpectedType.NamedType == "Int" {
			if n, err := strconv.ParseInt(v.Raw, 10, 64); err != nil || n < math.MinInt32 || n > math.MaxInt32 {
				bad = literalError(v, errcode.ValidationFailed, outsideInt(v.Raw))
			}
			return
		}
		for _, c := range v.Children {
			walkValue(c.Value)
		}
	}
	var walkSet func(set ast.SelectionSet)
	walkDirectives := func(ds ast.DirectiveList) {
		for _, d := range ds {
			for _, a := range d.Arguments {
				walkValue(a.Value)
			}
		}
	}
	walkSet = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch x := sel.(type) {
			case *ast.Field:
				for _, a := range x.Arguments {
					walkValue(a.Value)
				}
				walkDirectives(x.Directives)
				walkSet(x.SelectionSet)
			case *ast.InlineFragment:
				walkDirectives(x.Directives)
				walkSet(x.SelectionSet)
			case *ast.FragmentSpread:
				walkDirectives(x.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			walkValue(v.DefaultValue)
		}
		walkDirectives(op.Directives)
		walkSet(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walkSet(f.SelectionSet)
	}
	return bad
}

// expectedName is the named type a literal is given for, "" when unknown
// (or a list).
func expectedName(v *ast.Value) string {
	if v.ExpectedType == nil {
		return ""
	}
	return v.ExpectedType.NamedType
}
