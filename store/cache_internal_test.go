package store

import "testing"

func TestRecordCacheBudgetAndGenerations(t *testing.T) {
	c := newRecordCache(1600) // entries of 100 bytes: 16 fit
	for i := range 40 {
		c.put(1, string(rune('a'+i)), i, 100)
		if c.size > c.budget {
			t.Fatalf("after %d puts: %d bytes held, budget %d", i+1, c.size, c.budget)
		}
	}
	sum := 0
	for _, e := range c.m {
		sum += e.size
	}
	if sum != c.size || len(c.m) != 16 {
		t.Errorf("%d entries of %d bytes, accounted %d", len(c.m), sum, c.size)
	}
	if _, ok := c.get(2, []byte("z")); ok {
		t.Errorf("a reader of another generation got an entry")
	}
	c.put(2, "new", 1, 100)
	if _, ok := c.get(1, []byte("new")); ok || len(c.m) != 1 {
		t.Errorf("a newer generation did not replace the cache")
	}
	c.put(1, "old", 1, 100)
	if _, ok := c.get(2, []byte("old")); ok {
		t.Errorf("an older reader filled the newer generation's cache")
	}
	c.put(2, "huge", 1, 1000)
	if _, ok := c.get(2, []byte("huge")); ok {
		t.Errorf("an entry over a sixteenth of the budget was kept")
	}
}
