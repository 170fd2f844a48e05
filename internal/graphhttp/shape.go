package graphhttp

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// shape is what a query document asks for, measured on the parsed but not
// yet validated document, so that limits are enforced before the validator
// (whose overlapping-fields rule is quadratic in repeated fields) runs.
// Fragments count where they are spread; a fragment cycle counts once (the
// validator rejects it later).
type shape struct {
	depth       int  // deepest nesting of fields in an operation; introspection fields are not counted
	aliases     int  // most aliases in one operation
	directives  int  // most directives in one operation
	duplicates  int  // most times one response name is selected in one merged selection set (see duplicatesIn)
	expanded    int  // over maxExpanded when the merged walk gave up; 0 otherwise
	introspects bool // selects __schema or __type somewhere
	incremental bool // uses @defer or @stream somewhere
	nodes       int  // selections and arguments in the document: a measure of its parsed size
	ops         []opKind
}

type opKind struct {
	name string
	op   ast.Operation
}

// operation returns the kind of the operation a request runs: the one named
// name, or the only one when name is empty. ok is false when there is no
// such operation (the executor reports it).
func (s *shape) operation(name string) (op ast.Operation, ok bool) {
	if name == "" {
		if len(s.ops) == 1 {
			return s.ops[0].op, true
		}
		return "", false
	}
	for _, o := range s.ops {
		if o.name == name {
			return o.op, true
		}
	}
	return "", false
}

// counts is what one fragment or operation holds, its fragment spreads
// followed.
type counts struct {
	depth, aliases, directives int
}

// measurer walks a document once, remembering each fragment's counts.
type measurer struct {
	doc       *ast.QueryDocument
	fragments map[string]*counts // nil value: being walked (a cycle)
	s         shape
	dupLimit  int // stop counting duplicates past this
	merged    map[mergeKey]bool
	expanded  int // field selections the merged walk visited
}

// measure returns the shape of doc. Counting of duplicated response names
// stops once one exceeds dupLimit (0: no limit), and the merged walk gives
// up past maxExpanded selections, so measuring stays cheap whatever the
// document.
func measure(doc *ast.QueryDocument, dupLimit int) *shape {
	if dupLimit <= 0 {
		dupLimit = 1 << 30 // no limit; the walk is still bounded by maxExpanded
	}
	m := &measurer{doc: doc, fragments: make(map[string]*counts, len(doc.Fragments)), dupLimit: dupLimit,
		merged: make(map[mergeKey]bool)}
	for _, op := range doc.Operations {
		c := m.selectionSet(op.SelectionSet)
		c.directives = sat(c.directives + len(op.Directives))
		for _, v := range op.VariableDefinitions {
			c.directives = sat(c.directives + len(v.Directives))
		}
		m.s.depth = max(m.s.depth, c.depth)
		m.s.aliases = max(m.s.aliases, c.aliases)
		m.s.directives = max(m.s.directives, c.directives)
		m.s.ops = append(m.s.ops, opKind{name: op.Name, op: op.Operation})
		m.duplicatesIn([]ast.SelectionSet{op.SelectionSet})
	}
	// Fragments no operation spreads are still validated: measure them too.
	for _, f := range doc.Fragments {
		m.fragment(f.Name)
		m.duplicatesIn([]ast.SelectionSet{f.SelectionSet})
	}
	return &m.s
}

func (m *measurer) selectionSet(set ast.SelectionSet) counts {
	var c counts
	for _, sel := range set {
		m.s.nodes++
		var sub counts
		switch sel := sel.(type) {
		case *ast.Field:
			m.s.nodes += len(sel.Arguments)
			if sel.Name == "__schema" || sel.Name == "__type" {
				m.s.introspects = true
				// Introspection is bounded by the schema and by the
				// validator's introspection depth rule, so it is not
				// counted in depth; aliases and directives still are.
				sub = m.selectionSet(sel.SelectionSet)
				sub.depth = 0
			} else {
				sub = m.selectionSet(sel.SelectionSet)
				sub.depth++
			}
			if sel.Alias != "" && sel.Alias != sel.Name {
				sub.aliases++
			}
			sub.directives += len(sel.Directives)
			m.noteIncremental(sel.Directives)
		case *ast.InlineFragment:
			sub = m.selectionSet(sel.SelectionSet)
			sub.directives += len(sel.Directives)
			m.noteIncremental(sel.Directives)
		case *ast.FragmentSpread:
			if f := m.fragment(sel.Name); f != nil {
				sub = *f
			}
			sub.directives += len(sel.Directives)
			m.noteIncremental(sel.Directives)
		}
		c.depth = max(c.depth, sub.depth)
		c.aliases = sat(c.aliases + sub.aliases)
		c.directives = sat(c.directives + sub.directives)
	}
	return c
}

// noteIncremental records a @defer or @stream: the transports answer with
// one JSON document, not the incremental payloads those ask for.
func (m *measurer) noteIncremental(ds ast.DirectiveList) {
	for _, d := range ds {
		if d.Name == "defer" || d.Name == "stream" {
			m.s.incremental = true
		}
	}
}

// fragment returns the counts of the fragment named name, nil when it is
// unknown or being walked.
func (m *measurer) fragment(name string) *counts {
	if c, seen := m.fragments[name]; seen {
		return c
	}
	def := m.doc.Fragments.ForName(name)
	if def == nil {
		return nil
	}
	m.fragments[name] = nil
	c := m.selectionSet(def.SelectionSet)
	c.directives = sat(c.directives + len(def.Directives))
	m.fragments[name] = &c
	return &c
}

// maxExpanded bounds the merged walk: a document whose fragments expand to
// more field selections than this is refused (the executor would walk them
// all too).
const maxExpanded = 100_000

// mergeKey identifies a list of selection sets merged together.
type mergeKey string

// duplicatesIn records in m.s.duplicates how often the most repeated response
// name is selected in the merged selection sets under roots: fields of the
// same response name merged as the executor merges them, their selection
// sets merged in turn, fragments and inline fragments spread in place. The
// validator compares every pair of such fields, their subselections
// included, so this is what bounds its work. Lists of sets already walked
// are remembered, so a fragment spread in many places is walked once per
// distinct merge; the walk stops once a count exceeds the limit.
func (m *measurer) duplicatesIn(roots []ast.SelectionSet) {
	if m.s.duplicates > m.dupLimit || m.s.expanded > 0 || len(roots) == 0 {
		return
	}
	key := setsKey(roots)
	if m.merged[key] {
		return
	}
	m.merged[key] = true

	var order []string
	groups := make(map[string][]*ast.Field)
	walking := map[string]bool{}
	var flatten func(ast.SelectionSet) bool
	flatten = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			if m.expanded++; m.expanded > maxExpanded {
				m.s.expanded = m.expanded
				return false
			}
			switch sel := sel.(type) {
			case *ast.Field:
				name := sel.Alias
				if name == "" {
					name = sel.Name
				}
				g := groups[name]
				if g == nil {
					order = append(order, name)
				}
				groups[name] = append(g, sel)
				if n := len(groups[name]); n > m.s.duplicates {
					m.s.duplicates = n
					if n > m.dupLimit {
						return false
					}
				}
			case *ast.InlineFragment:
				if !flatten(sel.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				def := m.doc.Fragments.ForName(sel.Name)
				if def == nil || walking[sel.Name] {
					continue
				}
				walking[sel.Name] = true
				ok := flatten(def.SelectionSet)
				walking[sel.Name] = false
				if !ok {
					return false
				}
			}
		}
		return true
	}
	for _, set := range roots {
		if !flatten(set) {
			return
		}
	}
	for _, name := range order {
		var children []ast.SelectionSet
		for _, f := range groups[name] {
			if len(f.SelectionSet) > 0 {
				children = append(children, f.SelectionSet)
			}
		}
		m.duplicatesIn(children)
		if m.s.duplicates > m.dupLimit || m.s.expanded > 0 {
			return
		}
	}
}

// setsKey names a list of selection sets by the addresses of their first
// selections, which identify them for the life of the document.
func setsKey(sets []ast.SelectionSet) mergeKey {
	b := make([]byte, 0, len(sets)*8)
	for _, set := range sets {
		if len(set) == 0 {
			continue
		}
		b = fmt.Appendf(b, "%p,", &set[0])
	}
	return mergeKey(b)
}

// sat caps counts far above any limit, so that sums cannot overflow.
func sat(n int) int { return min(n, 1<<30) }
