package graphhttp

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

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
		if check := scalars[def.Name]; check != nil {
			if err := check(val); err != nil {
				return variableError(path, "%v", err)
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
