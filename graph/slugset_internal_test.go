package graph

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// A slugSet keeps each slug once, in the order first added, whether it
// found the repeat by scanning or in its set; a set given back holds
// nothing of the last one's slugs.
func TestSlugSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 200 {
		distinct := 1 + rng.IntN(3*slugSetScanned)
		var s slugSet
		var want []string
		for range rng.IntN(100) {
			slug := fmt.Sprintf("slug-%d-%d", round%3, rng.IntN(distinct))
			s.add(slug)
			if !slices.Contains(want, slug) {
				want = append(want, slug)
			}
		}
		if got := s.slugs(); !slices.Equal(got, want) {
			t.Fatalf("round %d: got %q, want %q", round, got, want)
		}
	}
}
