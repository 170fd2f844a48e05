package podcast

import (
	"slices"
	"testing"
	"time"
)

// Publication times sort oldest first, unknown last, and unknowns keep
// their order among themselves (a stable sort).
func TestComparePublished(t *testing.T) {
	at := func(d int) *time.Time { v := time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC); return &v }
	type item struct {
		name string
		at   *time.Time
	}
	items := []item{{"c", at(3)}, {"u1", nil}, {"a", at(1)}, {"u2", nil}, {"b", at(2)}}
	slices.SortStableFunc(items, func(x, y item) int { return ComparePublished(x.at, y.at) })
	var got []string
	for _, it := range items {
		got = append(got, it.name)
	}
	if want := []string{"a", "b", "c", "u1", "u2"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
