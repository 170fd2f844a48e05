package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"podcastgraph/internal/podcast"
)

// MonthCount is how many episodes of a set were released in one month.
type MonthCount struct {
	Year  int
	Month time.Month
	Count int
}

// Timeline is the episodes of a set per month of release.
type Timeline struct {
	Months  []MonthCount // months with at least one episode, oldest first
	Undated int          // episodes with no known release date
}

// TimelineQuery asks for the timeline of the episodes of a scope (a
// topic's, curated or discovered), only those of Show when it is not "".
type TimelineQuery struct {
	Scope Scope
	Show  string
}

// Timelines answers each query in one transaction, reading the scope's
// date index once from end to end: the cost is one step per episode of
// the scope (see docs/discovery.md for the figures).
func (s reads) Timelines(ctx context.Context, qs []TimelineQuery) ([]Timeline, error) {
	out := make([]Timeline, len(qs))
	err := s.read(ctx, func(r *reader) error {
		c := r.bucket(bucketByDate).Cursor()
		for i, q := range qs {
			prefix := append([]byte(q.Scope), 0)
			var t Timeline
			var cur *MonthCount
			var end uint32 // the first day after cur's month
			n := 0
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if n++; n%4096 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				sk := k[len(prefix):]
				if len(sk) < 8 || q.Show != "" && string(sk[8:]) != q.Show {
					continue
				}
				day := u32of(sk)
				if day == noDay {
					t.Undated++
					continue
				}
				if cur == nil || day >= end {
					d := dateOfDays(day)
					t.Months = append(t.Months, MonthCount{Year: d.Year, Month: d.Month})
					cur = &t.Months[len(t.Months)-1]
					next := podcast.Date{Year: d.Year, Month: d.Month + 1, Day: 1}
					if d.Month == time.December {
						next = podcast.Date{Year: d.Year + 1, Month: time.January, Day: 1}
					}
					end = next.Days()
				}
				cur.Count++
			}
			out[i] = t
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: timelines: %w", err)
	}
	return out, nil
}

// dateOfDays is the inverse of podcast.Date.Days.
func dateOfDays(d uint32) podcast.Date {
	return podcast.DateOf(time.Date(0, time.March, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(d)))
}
