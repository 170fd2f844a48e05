package graph

import (
	"context"
	"slices"
	"testing"
)

// Primed values answer lookups without a fetch; a lookup fetches only the
// keys neither cached nor primed, each once.
func TestLoaderPrimeAll(t *testing.T) {
	var fetched [][]int
	l := newLoader(func(_ context.Context, keys []int) ([]string, error) {
		fetched = append(fetched, slices.Clone(keys))
		out := make([]string, len(keys))
		for i := range out {
			out[i] = "fetched"
		}
		return out, nil
	})
	ctx := context.Background()
	l.PrimeAll([]string{"a", "bb"}, func(v string) int { return len(v) })
	if v, err := l.Load(ctx, 2); err != nil || v != "bb" || len(fetched) != 0 {
		t.Fatalf("primed key: %q %v, fetches %v", v, err, fetched)
	}
	vals, err := l.LoadMany(ctx, []int{1, 3, 3, 2, 4})
	if err != nil || !slices.Equal(vals, []string{"a", "fetched", "fetched", "bb", "fetched"}) {
		t.Fatalf("LoadMany = %q %v", vals, err)
	}
	if len(fetched) != 1 || !slices.Equal(fetched[0], []int{3, 4}) {
		t.Fatalf("fetches %v, want one of [3 4]", fetched)
	}
	// A value already cached is kept over a later prime of the same key,
	// also once a miss has added the primed values.
	l.PrimeAll([]string{"xyz", "fifty"}, func(v string) int {
		if v == "xyz" {
			return 3
		}
		return 50
	})
	if v, _ := l.Load(ctx, 50); v != "fifty" || len(fetched) != 1 {
		t.Fatalf("primed key after a miss: %q, fetches %v", v, fetched)
	}
	if v, _ := l.Load(ctx, 3); v != "fetched" {
		t.Fatalf("cached value replaced by a prime: %q", v)
	}
	// Long lists of misses are deduplicated as well.
	var many []int
	for i := range 40 {
		many = append(many, 100+i%20)
	}
	if _, err := l.LoadMany(ctx, many); err != nil || len(fetched) != 2 || len(fetched[1]) != 20 {
		t.Fatalf("fetches %v", fetched)
	}
}

// A fetch asks for each key not cached once, in the order first asked,
// however many keys and repeats a lookup has (the set of seen keys is made
// only past the first few misses).
func TestLoaderFetchesEachMissOnce(t *testing.T) {
	for _, n := range []int{1, 15, 16, 17, 40} {
		var fetched [][]int
		l := newLoader(func(_ context.Context, keys []int) ([]int, error) {
			fetched = append(fetched, slices.Clone(keys))
			return keys, nil
		})
		ctx := context.Background()
		if _, err := l.Load(ctx, 0); err != nil { // cached from here on
			t.Fatal(err)
		}
		var keys, want []int
		for i := n; i >= 1; i-- {
			keys = append(keys, i, 0, i) // each key twice, and a cached one
			want = append(want, i)
		}
		keys = append(keys, slices.Clone(keys)...)
		vals, err := l.LoadMany(ctx, keys)
		if err != nil || !slices.Equal(vals, keys) {
			t.Fatalf("n=%d: LoadMany = %v %v", n, vals, err)
		}
		if len(fetched) != 2 || !slices.Equal(fetched[1], want) {
			t.Fatalf("n=%d: fetches %v, want [0] then %v", n, fetched, want)
		}
	}
}
