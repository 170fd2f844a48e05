package store

import (
	"testing"

	"podcastgraph/internal/podcast"
)

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

// Heads are kept by show and number beside the other records, in the same
// budget: either kind makes room by dropping the other, and a newer
// generation drops both.
func TestRecordCacheHeads(t *testing.T) {
	c := newRecordCache(1600 + 2*headPageBytes) // entries of 100 bytes: 16 fit, beside two pages of heads
	heads := map[int]*podcast.Episode{}
	for n := range 10 {
		heads[n] = &podcast.Episode{Show: "s", Number: n}
		c.putHead(1, "s", n, heads[n], 100)
	}
	for n := range 10 {
		if h, ok := c.getHead(1, "s", n); !ok || h != heads[n] {
			t.Fatalf("head %d: %v %v", n, h, ok)
		}
	}
	if _, ok := c.getHead(1, "other", 1); ok {
		t.Error("another show's episode 1 found")
	}
	for i := range 40 {
		c.put(1, string(rune('a'+i)), i, 100)
		if c.size > c.budget {
			t.Fatalf("after %d puts: %d bytes held, budget %d", i+1, c.size, c.budget)
		}
	}
	checkSum := func() {
		t.Helper()
		sum, heads := 0, 0
		for _, e := range c.m {
			sum += e.size
		}
		for _, sh := range c.heads {
			slots, held := sh.slots()
			if len(slots) != sh.n {
				t.Errorf("%d heads held, counted %d", len(slots), sh.n)
			}
			sum += held
			heads += held
		}
		if sum != c.size || heads != c.headBytes {
			t.Errorf("%d bytes held (%d in heads), accounted %d (%d)", sum, heads, c.size, c.headBytes)
		}
	}
	checkSum()
	for n := range 40 {
		c.putHead(1, "t", n, &podcast.Episode{Show: "t", Number: n}, 100)
		if c.size > c.budget {
			t.Fatalf("after %d heads: %d bytes held, budget %d", n+1, c.size, c.budget)
		}
	}
	// Neither kind crowds the other out: records stay among the heads.
	if len(c.m) == 0 || heldHeads(c, "t") == 0 {
		t.Errorf("%d records and %d heads left after 40 heads", len(c.m), heldHeads(c, "t"))
	}
	if c.headBytes > c.size || c.size > c.budget {
		t.Errorf("heads hold %d of %d bytes, budget %d", c.headBytes, c.size, c.budget)
	}
	for i := range 40 {
		c.put(1, string(rune('A'+i)), i, 100)
	}
	if len(c.m) == 0 || heldHeads(c, "t") == 0 {
		t.Errorf("%d records and %d heads left after 40 records", len(c.m), heldHeads(c, "t"))
	}
	if sh, ok := c.heads["s"]; ok && sh.n == 0 {
		t.Error("an emptied show's map is kept")
	}
	checkSum()
	if _, ok := c.getHead(2, "t", 39); ok {
		t.Error("a reader of another generation got a head")
	}
	c.putHead(2, "t", 1, heads[1], 100)
	if _, ok := c.getHead(2, "t", 39); ok || c.size != 100+headPageBytes+c.heads["t"].index() {
		t.Errorf("a newer generation kept the older heads (%d bytes)", c.size)
	}
}

// heldHeads returns how many heads c holds of show.
func heldHeads(c *recordCache, show string) int {
	if sh := c.heads[show]; sh != nil {
		return sh.n
	}
	return 0
}

// slots returns the heads sh holds and the bytes it holds: theirs, its
// pages' and its index's.
func (sh *showHeads) slots() ([]headSlot, int) {
	var out []headSlot
	held := sh.index()
	for _, p := range sh.pages {
		if p != nil {
			held += headPageBytes
			n := 0
			for _, e := range p.slots {
				if e.h != nil {
					out = append(out, e)
					held += e.size
					n++
				}
			}
			if n != p.n || n == 0 {
				panic("a page's count is off, or an empty page is kept")
			}
		}
	}
	for _, e := range sh.other {
		out = append(out, e)
		held += e.size
	}
	return out, held
}

// Any episode number is kept, dense or not, and dropping heads one by one
// finds each of them once, wherever the walk of the pages stood.
func TestRecordCacheHeadNumbers(t *testing.T) {
	numbers := []int{0, 1, 2, 255, 256, 257, 4096, denseHeads - 1, denseHeads, 20241203, -1, -300}
	c := newRecordCache(1 << 20)
	want := map[int]*podcast.Episode{}
	defer func() {
		if r := recover(); r != nil {
			t.Fatal(r)
		}
	}()
	for _, n := range numbers {
		want[n] = &podcast.Episode{Show: "s", Number: n}
		c.putHead(1, "s", n, want[n], 10)
	}
	c.putHead(1, "s", 1, &podcast.Episode{Show: "s", Number: 1}, 10) // held already: kept as it was
	for _, n := range numbers {
		if h, ok := c.getHead(1, "s", n); !ok || h != want[n] {
			t.Errorf("head %d: %v %v", n, h, ok)
		}
	}
	for _, n := range []int{3, 258, 1 << 19, denseHeads + 1, -2} {
		if h, ok := c.getHead(1, "s", n); ok {
			t.Errorf("head %d never put, got %v", n, h)
		}
	}
	// The pages: 0-255, 256-511, 4096-4351 and the last below denseHeads,
	// and the index of 4,096 pages.
	if want := 10*len(numbers) + 4*headPageBytes + c.heads["s"].index(); c.size != want || heldHeads(c, "s") != len(numbers) {
		t.Fatalf("%d bytes, %d heads held; want %d, %d", c.size, heldHeads(c, "s"), want, len(numbers))
	}
	// Looked up together, across shows, beside numbers never put.
	keys := []podcast.EpisodeKey{{Show: "s", Number: 255}, {Show: "s", Number: 3}, {Show: "t", Number: 1},
		{Show: "s", Number: -300}, {Show: "t", Number: 2}, {Show: "s", Number: denseHeads}}
	got := make([]*podcast.Episode, len(keys))
	c.getHeads(1, keys, got)
	wantGot := []*podcast.Episode{want[255], nil, nil, want[-300], nil, want[denseHeads]}
	for i := range keys {
		if got[i] != wantGot[i] {
			t.Errorf("getHeads %v: %v, want %v", keys[i], got[i], wantGot[i])
		}
	}
	c.getHeads(2, keys, got[:0:0]) // another generation's reader: nothing, and no write
	c.heads["s"].next = 300        // a walk that stopped in the middle
	dropped := 0
	for c.drop(true) {
		dropped++
	}
	if dropped != len(numbers) || c.size != 0 || c.headBytes != 0 || len(c.heads) != 0 {
		t.Errorf("dropped %d of %d heads, %d bytes (%d in heads) and %d shows left", dropped, len(numbers), c.size, c.headBytes, len(c.heads))
	}
	for _, n := range numbers {
		if _, ok := c.getHead(1, "s", n); ok {
			t.Errorf("head %d found after every head was dropped", n)
		}
	}
}

// Heads of sparse numbers, one to a page, cost the budget a page each, so
// that a show numbered 0, 256, 512, ... holds no more memory than the
// budget allows.
func TestRecordCacheSparseHeads(t *testing.T) {
	budget := 20 * (headPageBytes + 100)
	c := newRecordCache(budget)
	for n := 0; n < 200*headPageLen; n += headPageLen {
		c.putHead(1, "s", n, &podcast.Episode{Show: "s", Number: n}, 100)
		if c.size > budget {
			t.Fatalf("after head %d: %d bytes accounted, budget %d", n, c.size, budget)
		}
	}
	pages := 0
	for _, p := range c.heads["s"].pages {
		if p != nil {
			pages++
		}
	}
	if pages > 20 || pages != heldHeads(c, "s") {
		t.Errorf("%d pages held for %d heads, budget for 20", pages, heldHeads(c, "s"))
	}
}

// What the heads hold (their bytes, their pages', the index's) is what the
// budget counts, whichever heads of a page go first: pages of ten heads
// each, the first heads of the earlier pages asked for again as the cache
// drops others.
func TestRecordCacheHeadPagesCharged(t *testing.T) {
	budget := 12 * (headPageBytes + 10*100)
	c := newRecordCache(budget)
	for p := range 40 {
		for i := range 10 {
			n := p*headPageLen + i
			c.putHead(1, "s", n, &podcast.Episode{Show: "s", Number: n}, 100)
		}
		for q := range p {
			n := q * headPageLen
			if _, ok := c.getHead(1, "s", n); !ok {
				c.putHead(1, "s", n, &podcast.Episode{Show: "s", Number: n}, 100)
			}
		}
		held := 0
		if sh := c.heads["s"]; sh != nil {
			_, held = sh.slots()
		}
		if held != c.headBytes || c.headBytes != c.size || c.size > budget+headPageBytes {
			t.Fatalf("after page %d: %d bytes held, %d accounted (%d in all), budget %d", p, held, c.headBytes, c.size, budget)
		}
	}
	for c.drop(true) {
	}
	if c.size != 0 || c.headBytes != 0 || len(c.heads) != 0 {
		t.Errorf("all dropped: %d bytes (%d in heads), %d shows left", c.size, c.headBytes, len(c.heads))
	}
	c.putHead(1, "s", 1, nil, 100) // nothing to keep: and the lock is let go
	if _, ok := c.getHead(1, "s", 1); ok {
		t.Error("a nil head was kept")
	}
}

// End pages are kept within a quarter of the budget beside the records,
// never taking the records' room; a newer generation drops them too.
func TestRecordCacheEnds(t *testing.T) {
	c := newRecordCache(8000) // records of 500 bytes: 16 fit; end pages of 50: 40 fit
	for i := range 16 {
		c.put(1, string(rune('a'+i)), i, 500)
	}
	for i := range 100 {
		c.putEnd(1, string(rune('A'+i)), &EpisodePage{HasNext: true}, 50)
		if c.endBytes > c.endBudget() {
			t.Fatalf("after %d end pages: %d bytes held, budget %d", i+1, c.endBytes, c.endBudget())
		}
	}
	sum := 0
	for _, e := range c.ends {
		sum += e.size
	}
	if sum != c.endBytes || len(c.ends) != 40 {
		t.Errorf("%d end pages of %d bytes, accounted %d", len(c.ends), sum, c.endBytes)
	}
	if len(c.m) != 16 || c.size != 8000 {
		t.Errorf("end pages took the records' room: %d records, %d bytes", len(c.m), c.size)
	}
	var held string
	for k := range c.ends {
		held = k
	}
	if c.getEnd(1, []byte(held)) == nil {
		t.Errorf("end page %q held but not found", held)
	}
	if c.getEnd(2, []byte(held)) != nil {
		t.Errorf("a reader of another generation got an end page")
	}
	c.putEnd(2, "new", &EpisodePage{}, 50)
	if c.getEnd(2, []byte(held)) != nil || len(c.ends) != 1 || len(c.m) != 0 {
		t.Errorf("a newer generation did not replace the end pages: %d held, %d records", len(c.ends), len(c.m))
	}
}
