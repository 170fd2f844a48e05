package graphhttp

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Cost is the estimate of what an operation will fetch, reported to clients
// in extensions.cost, in the spirit of Shopify's calculated query cost.
type Cost struct {
	// Requested is the operation's cost: every object it may return counts
	// 1, scalars and enums 0; a connection's objects count once per item it
	// asks for (first or last, the default page size when neither is
	// given); a list field with a first argument counts first (or the
	// default page size) items, or the most it can hold when that is known
	// and smaller; a list with a list argument counts one item per element
	// (nodes(ids:)), any other list ListSize items; a string field
	// whose longest value is known counts 1 per full KiB of it; and a
	// field the schema marks @cost(weight: N), for the work it does
	// beyond its objects (a ranking, a count over many episodes), adds N
	// each time it is resolved.
	Requested int `json:"requestedQueryCost"`
	// Maximum is the limit the request was checked against; 0 means none.
	Maximum int `json:"maxQueryCost,omitempty"`
}

// costModel holds the parameters of the cost calculation.
type costModel struct {
	defaultPage int      // items of a connection when neither first nor last is given
	maxPage     int      // the most items a connection returns; larger arguments are refused by the resolvers
	listSize    int      // items assumed for a list field without paging arguments
	pageArgs    []string // the arguments that size a connection
	// listBound and textBytes, when set, return the most items a list
	// field and the most bytes a string field can return (Options).
	listBound func(typeName, fieldName string) (int, bool)
	textBytes func(typeName, fieldName string) (int, bool)
}

// textUnit is the bytes of text that cost as much as an object.
const textUnit = 1024

// coster computes the cost of one operation under one set of variables.
type coster struct {
	model costModel
	vars  map[string]any
	memo  map[fragmentKey]int
}

type fragmentKey struct {
	name  string
	items int
}

// operationCost returns the cost of op, a validated operation, with vars,
// its coerced variables.
func (m costModel) operationCost(op *ast.OperationDefinition, vars map[string]any) int {
	c := &coster{model: m, vars: vars}
	return c.selectionSet(op.SelectionSet, -1)
}

// selectionSet returns the cost of set; items is the size of the page when
// set is a connection's selection, -1 otherwise.
func (c *coster) selectionSet(set ast.SelectionSet, items int) int {
	total := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			total = satAdd(total, c.field(sel, items))
		case *ast.InlineFragment:
			total = satAdd(total, c.selectionSet(sel.SelectionSet, items))
		case *ast.FragmentSpread:
			if sel.Definition == nil {
				continue
			}
			k := fragmentKey{sel.Name, items}
			cost, ok := c.memo[k]
			if !ok {
				if c.memo == nil {
					c.memo = make(map[fragmentKey]int)
				}
				cost = c.selectionSet(sel.Definition.SelectionSet, items)
				c.memo[k] = cost
			}
			total = satAdd(total, cost)
		}
	}
	return total
}

// field returns the cost of one field; items is the page size of the
// connection the field belongs to, -1 when it is not a connection's field.
func (c *coster) field(f *ast.Field, items int) int {
	if f.Definition == nil || strings.HasPrefix(f.Name, "__") {
		return 0 // __typename; introspection is bounded by the schema
	}
	if len(f.SelectionSet) == 0 {
		return satAdd(c.text(f), weight(f.Definition)) // scalars and enums: free, but for long texts
	}
	n, page := 1, -1
	switch list := f.Definition.Type != nil && f.Definition.Type.Elem != nil; {
	case list && items >= 0:
		n = items // a connection's nodes or edges
	case list && f.Definition.Arguments.ForName("first") != nil:
		n = c.boundedLength(f)
	case list:
		n = c.listLength(f)
	default:
		page = c.pageSize(f)
	}
	return satAdd(satMul(n, satAdd(1, c.selectionSet(f.SelectionSet, page))), weight(f.Definition))
}

// weight returns the N of the field's @cost(weight: N), 0 without one (or
// with a weight that is not a positive integer literal).
func weight(def *ast.FieldDefinition) int {
	d := def.Directives.ForName("cost")
	if d == nil {
		return 0
	}
	a := d.Arguments.ForName("weight")
	if a == nil || a.Value == nil || a.Value.Kind != ast.IntValue {
		return 0
	}
	n, err := strconv.Atoi(a.Value.Raw)
	if err != nil || n < 0 {
		return 0
	}
	return min(n, costCap)
}

// boundedLength returns the number of items of a list field with a first
// argument (and no other paging): first, the default page size without it,
// capped at the largest page and at the most items the field can hold
// when that is known.
func (c *coster) boundedLength(f *ast.Field) int {
	n := c.model.defaultPage
	if a := f.Arguments.ForName("first"); a != nil {
		if v, ok := c.intValue(a.Value); ok {
			n = v
		}
	}
	n = min(n, c.model.maxPage)
	if c.model.listBound != nil && f.ObjectDefinition != nil {
		if b, ok := c.model.listBound(f.ObjectDefinition.Name, f.Name); ok {
			n = min(n, max(b, 0))
		}
	}
	return n
}

// text returns the cost of a scalar field: 1 per full KiB of the longest
// value a string field can have when that is known, else 0.
func (c *coster) text(f *ast.Field) int {
	if c.model.textBytes == nil || f.ObjectDefinition == nil {
		return 0
	}
	if b, ok := c.model.textBytes(f.ObjectDefinition.Name, f.Name); ok && b > 0 {
		return b / textUnit
	}
	return 0
}

// pageSize returns the number of items a connection field asks for, -1
// when the field has no paging arguments.
func (c *coster) pageSize(f *ast.Field) int {
	paged := false
	size := -1
	for _, name := range c.model.pageArgs {
		if f.Definition.Arguments.ForName(name) == nil {
			continue
		}
		paged = true
		if a := f.Arguments.ForName(name); a != nil {
			if v, ok := c.intValue(a.Value); ok {
				size = max(size, v)
			}
		}
	}
	if !paged {
		return -1
	}
	if size < 0 {
		size = c.model.defaultPage
	}
	return min(size, c.model.maxPage)
}

// listLength returns the number of items of a list field without paging:
// the length of its list argument when it has one (nodes(ids:)), else the
// model's list size.
func (c *coster) listLength(f *ast.Field) int {
	for _, a := range f.Arguments {
		if a.Value == nil {
			continue
		}
		v, err := a.Value.Value(c.vars)
		if err != nil || v == nil {
			continue
		}
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
			return rv.Len()
		}
	}
	return c.model.listSize
}

// intValue returns an integer argument's value, from a literal or a
// variable; ok is false for null or a value that is not an integer.
func (c *coster) intValue(v *ast.Value) (int, bool) {
	val, err := v.Value(c.vars)
	if err != nil {
		return 0, false
	}
	switch n := val.(type) {
	case int:
		return max(n, 0), true
	case int64:
		return int(max(min(n, math.MaxInt32), 0)), true
	case int32:
		return max(int(n), 0), true
	case float64:
		return int(max(min(n, math.MaxInt32), 0)), true
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return 0, false
		}
		return int(max(min(i, math.MaxInt32), 0)), true
	}
	return 0, false
}

const costCap = 1 << 40

func satAdd(a, b int) int { return min(a+b, costCap) }

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > costCap/b {
		return costCap
	}
	return a * b
}
