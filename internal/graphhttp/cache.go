package graphhttp

import (
	"container/list"
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// sizedLRU is a least-recently-used cache bounded by an estimate of the
// bytes its entries hold rather than by their number, so that a client
// cannot fill memory by sending a few thousand large queries. An entry
// heavier than an eighth of the budget is not kept at all.
type sizedLRU[V any] struct {
	mu     sync.Mutex
	budget int64
	used   int64
	weigh  func(key string, v V) int64
	ll     *list.List // of *lruEntry[V], most recently used first
	index  map[string]*list.Element
}

type lruEntry[V any] struct {
	key    string
	value  V
	weight int64
}

func newSizedLRU[V any](budget int64, weigh func(key string, v V) int64) *sizedLRU[V] {
	return &sizedLRU[V]{budget: budget, weigh: weigh, ll: list.New(), index: make(map[string]*list.Element)}
}

// Get returns the value under key and marks it as recently used.
func (c *sizedLRU[V]) Get(_ context.Context, key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[key]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*lruEntry[V]).value, true
	}
	var zero V
	return zero, false
}

// getBytes is Get with the key in bytes, which it does not copy.
func (c *sizedLRU[V]) getBytes(key []byte) (V, bool) {
	var zero V
	if c == nil || key == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[string(key)]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*lruEntry[V]).value, true
	}
	return zero, false
}

// replace replaces the value under key by f(old) and reweighs the entry,
// evicting others if it grew; it does nothing when key is absent.
func (c *sizedLRU[V]) replace(key string, f func(old V) V) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[key]; ok {
		c.addLocked(key, f(el.Value.(*lruEntry[V]).value))
	}
}

// Add stores v under key, evicting the least recently used entries until
// the budget holds it. It keeps nothing when v alone would take more than
// an eighth of the budget.
func (c *sizedLRU[V]) Add(_ context.Context, key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(key, v)
}

func (c *sizedLRU[V]) addLocked(key string, v V) {
	w := c.weigh(key, v)
	if el, ok := c.index[key]; ok {
		c.removeElement(el)
	}
	if w > c.budget/8 {
		return
	}
	c.index[key] = c.ll.PushFront(&lruEntry[V]{key: key, value: v, weight: w})
	c.used += w
	for c.used > c.budget {
		c.removeElement(c.ll.Back())
	}
}

// update replaces the value under key by f(old, found), under the lock, and
// reweighs the entry. f's answer is stored even when key was absent.
func (c *sizedLRU[V]) update(key string, f func(old V, found bool) V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.index[key]
	var old V
	if ok {
		old = el.Value.(*lruEntry[V]).value
	}
	c.addLocked(key, f(old, ok))
}

func (c *sizedLRU[V]) removeElement(el *list.Element) {
	e := c.ll.Remove(el).(*lruEntry[V])
	delete(c.index, e.key)
	c.used -= e.weight
}

// stats returns the number of entries and their estimated weight.
func (c *sizedLRU[V]) stats() (entries int, weight int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len(), c.used
}

// queryCache is gqlgen's parsed-query cache with, beside each validated
// document, the shape the limits measured, both under the query text. Its
// budget is in estimated bytes of parsed documents.
type queryCache struct {
	lru *sizedLRU[queryEntry]
}

type queryEntry struct {
	doc   *ast.QueryDocument // validated; nil until the executor has validated the query
	shape *shape             // nil until the limits have measured the query
}

var _ graphql.Cache[*ast.QueryDocument] = (*queryCache)(nil)

// bytesPerNode estimates the memory a parsed selection or argument takes,
// positions and definitions included.
const bytesPerNode = 400

func newQueryCache(budget int64) *queryCache {
	return &queryCache{lru: newSizedLRU(budget, func(query string, e queryEntry) int64 {
		nodes := int64(len(query)) / 4 // before the shape is known
		if e.shape != nil {
			nodes = int64(e.shape.nodes)
		}
		return 256 + int64(len(query)) + nodes*bytesPerNode
	})}
}

// Get returns the validated document of query.
func (c *queryCache) Get(ctx context.Context, query string) (*ast.QueryDocument, bool) {
	e, ok := c.lru.Get(ctx, query)
	return e.doc, ok && e.doc != nil
}

// Add keeps the validated document of query.
func (c *queryCache) Add(_ context.Context, query string, doc *ast.QueryDocument) {
	c.lru.update(query, func(e queryEntry, _ bool) queryEntry {
		e.doc = doc
		return e
	})
}

// shape returns the measured shape of query, nil when it is not known.
func (c *queryCache) shape(query string) *shape {
	e, _ := c.lru.Get(context.Background(), query)
	return e.shape
}

// setShape keeps the shape of query.
func (c *queryCache) setShape(query string, s *shape) {
	c.lru.update(query, func(e queryEntry, _ bool) queryEntry {
		e.shape = s
		return e
	})
}

// apqCache holds the queries clients registered by hash for automatic
// persisted queries, within a budget of bytes of query text.
func newAPQCache(budget int64) graphql.Cache[string] {
	return newSizedLRU(budget, func(hash, query string) int64 {
		return 64 + int64(len(hash)) + int64(len(query))
	})
}
