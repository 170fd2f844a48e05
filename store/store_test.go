package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

var fixedNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func date(s string) *podcast.Date {
	d, err := podcast.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

// page builds a document like a real page: its own episode n with guests,
// and a listing of the given episodes.
func page(name string, n int, day string, guests []ingest.GuestFacts, topics []string, listing ...ingest.EpisodeFacts) *ingest.Document {
	return &ingest.Document{
		Name: name, SHA256: fmt.Sprintf("sha-%s-%d-%d-%v", name, n, len(guests), topics),
		Show: ingest.ShowFacts{Slug: "devops-paradox", Title: "DevOps Paradox", Code: "DOP", Hosts: []string{"Darin", "Viktor"},
			Links: []podcast.Link{{Kind: podcast.LinkSlack, URL: "https://example.com/slack/"}}},
		Episode: ingest.EpisodeFacts{Number: n, Own: true, Title: fmt.Sprintf("Episode %d", n), ReleaseDate: date(day),
			Description: fmt.Sprintf("Full text of %d.", n), Summary: fmt.Sprintf("Full text of %d.", n), Topics: topics},
		Listing: listing,
		Guests:  guests,
	}
}

func listed(n int, summary string, topics []string, guests ...ingest.GuestFacts) ingest.EpisodeFacts {
	return ingest.EpisodeFacts{Number: n, Summary: summary, Truncated: true, Topics: topics, Guests: guests}
}

func guest(name, role, org string) ingest.GuestFacts {
	return ingest.GuestFacts{Slug: ingest.Slugify(name), Name: name, Role: role, Organization: org, Evidence: name + " said so."}
}

func apply(t *testing.T, st *store.Store, docs ...*ingest.Document) []store.Result {
	t.Helper()
	res, err := st.Apply(context.Background(), docs, store.ApplyOptions{Fingerprint: "v1", Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// dump reads the whole graph through the public API into a comparable form.
func dump(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	all := store.Window{First: 100, Last: -1}
	out := map[string]any{}
	for _, order := range []store.EpisodeOrder{{}, {Desc: true}, {ByDate: true}, {ByDate: true, Desc: true}} {
		pages, err := st.Episodes(ctx, []store.EpisodeQuery{{Order: order, Window: all, WantTotal: true}})
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("episodes %+v", order)] = pages[0]
	}
	gp, err := st.Guests(ctx, store.GuestQuery{Window: all})
	if err != nil {
		t.Fatal(err)
	}
	guests, _ := st.GuestsBySlug(ctx, gp.Slugs)
	out["guests"] = guests
	tp, err := st.Topics(ctx, store.TopicQuery{Window: all, ByCount: true})
	if err != nil {
		t.Fatal(err)
	}
	out["topics"] = tp
	var rel []store.RelatedQuery
	for _, g := range gp.Slugs {
		rel = append(rel, store.RelatedQuery{Relation: store.CoGuests, Slug: g}, store.RelatedQuery{Relation: store.GuestTopics, Slug: g})
	}
	for _, tpc := range tp.Slugs {
		rel = append(rel, store.RelatedQuery{Relation: store.TopicGuests, Slug: tpc}, store.RelatedQuery{Relation: store.RelatedTopics, Slug: tpc})
	}
	r, _ := st.Related(ctx, rel)
	out["related"] = r
	var keys []podcast.EpisodeKey
	for n := 1; n <= 400; n++ {
		keys = append(keys, podcast.EpisodeKey{Show: "devops-paradox", Number: n})
	}
	srcs, _ := st.Sources(ctx, keys)
	out["sources"] = srcs
	eps, _ := st.EpisodesByKey(ctx, keys)
	out["records"] = eps
	shows, _ := st.ShowsBySlug(ctx, []string{"devops-paradox"})
	out["show"] = shows
	js, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

func corpus() []*ingest.Document {
	avery := guest("Avery Pennarun", "CEO", "Tailscale")
	mathias := guest("Mathias Buus Madsen", "co-founder", "Holepunch")
	pete := guest("Pete Hunt", "CEO", "Dagster")
	peteBare := guest("Pete Hunt", "", "")
	return []*ingest.Document{
		page("a.txt", 316, "2025-09-17", []ingest.GuestFacts{avery}, []string{"vpn", "security"},
			listed(339, "DNS text", []string{"dns"}), listed(333, "Pete text", []string{"ai"}, peteBare), listed(330, "Short", nil)),
		page("b.txt", 322, "2025-10-29", []ingest.GuestFacts{mathias, pete}, []string{"peer-to-peer", "ai"},
			listed(339, "DNS text", []string{"dns"}), listed(333, "Pete text, longer version", []string{"ai"}, pete), listed(330, "Short", nil)),
	}
}

func TestApplyMergesPages(t *testing.T) {
	st := open(t)
	apply(t, st, corpus()...)
	ctx := context.Background()
	eps, err := st.EpisodesByKey(ctx, []podcast.EpisodeKey{{Show: "devops-paradox", Number: 316}, {Show: "devops-paradox", Number: 333}, {Show: "devops-paradox", Number: 999}})
	if err != nil {
		t.Fatal(err)
	}
	if eps[2] != nil {
		t.Errorf("unknown episode = %+v, want nil", eps[2])
	}
	e316, e333 := eps[0], eps[1]
	if e316.Title == nil || *e316.Title != "Episode 316" || e316.ReleaseDate.String() != "2025-09-17" || e316.SummaryTruncated {
		t.Errorf("316 = %+v", e316)
	}
	if e316.Code != "DOP 316" {
		t.Errorf("316 code = %q", e316.Code)
	}
	if e333.Title != nil || e333.Description != nil || !e333.SummaryTruncated || e333.Summary != "Pete text, longer version" {
		t.Errorf("333 = %+v (title %v)", e333, e333.Title)
	}
	srcs, err := st.Sources(ctx, []podcast.EpisodeKey{{Show: "devops-paradox", Number: 333}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(srcs[0]); got != 2 {
		t.Errorf("333 sources = %d, want 2 (seen on both pages)", got)
	}
	gs, _ := st.GuestsBySlug(ctx, []string{"pete-hunt"})
	if g := gs[0]; g == nil || g.Role != "CEO" || g.Organization != "Dagster" {
		t.Errorf("pete-hunt = %+v, want role and organization merged in", gs[0])
	}
	counts, _ := st.EpisodeCounts(ctx, []store.Scope{store.GuestScope("pete-hunt"), store.TopicScope("ai"), store.AllEpisodes, store.ShowScope("devops-paradox")})
	if want := []int{2, 2, 5, 5}; !reflect.DeepEqual(counts, want) {
		t.Errorf("counts = %v, want %v", counts, want)
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	st := open(t)
	apply(t, st, corpus()...)
	before := dump(t, st)
	gen, _ := st.Generation()
	res := apply(t, st, corpus()...)
	for _, r := range res {
		if r.Status != store.Unchanged {
			t.Errorf("%s: %s, want unchanged", r.Name, r.Status)
		}
	}
	if after := dump(t, st); after != before {
		t.Errorf("re-ingest changed the graph")
	}
	if g2, _ := st.Generation(); g2 != gen {
		t.Errorf("generation moved from %d to %d on an unchanged re-ingest", gen, g2)
	}
}

func TestApplyOrderDoesNotMatter(t *testing.T) {
	docs := corpus()
	a := open(t)
	apply(t, a, docs...)
	b := open(t)
	apply(t, b, docs[1])
	apply(t, b, docs[0])
	if da, db := dump(t, a), dump(t, b); da != db {
		t.Errorf("order changed the result:\n%s\n---\n%s", da, db)
	}
}

func TestChangedPageReplacesItsContribution(t *testing.T) {
	st := open(t)
	docs := corpus()
	apply(t, st, docs...)
	// b.txt changes: Mathias is gone, 322 now talks about Kubernetes only.
	changed := page("b.txt", 322, "2025-10-29", nil, []string{"kubernetes"},
		listed(339, "DNS text", []string{"dns"}), listed(333, "Pete text", []string{"ai"}, guest("Pete Hunt", "", "")))
	changed.SHA256 = "changed"
	res := apply(t, st, changed)
	if res[0].Status != store.Updated {
		t.Fatalf("status %s, want updated", res[0].Status)
	}
	ctx := context.Background()
	gs, _ := st.GuestsBySlug(ctx, []string{"mathias-buus-madsen", "pete-hunt"})
	if gs[0] != nil {
		t.Errorf("mathias still stored after the only page naming him changed: %+v", gs[0])
	}
	if gs[1] == nil || gs[1].Role != "" {
		t.Errorf("pete-hunt = %+v, want only what a.txt and the new b.txt say (no role)", gs[1])
	}
	eps, _ := st.EpisodesByKey(ctx, []podcast.EpisodeKey{{Show: "devops-paradox", Number: 322}, {Show: "devops-paradox", Number: 330}})
	if !slices.Equal(eps[0].Topics, []string{"kubernetes"}) || len(eps[0].Appearances) != 0 {
		t.Errorf("322 = topics %v guests %v", eps[0].Topics, eps[0].Appearances)
	}
	if srcs, _ := st.Sources(ctx, []podcast.EpisodeKey{eps[1].Key()}); len(srcs[0]) != 1 || srcs[0][0].Name != "a.txt" {
		t.Errorf("330 sources = %v, want only a.txt", srcs)
	}
	// The same state as ingesting a.txt and the new b.txt from scratch.
	fresh := open(t)
	apply(t, fresh, docs[0], changed)
	if d1, d2 := dump(t, st), dump(t, fresh); d1 != d2 {
		t.Errorf("replace differs from fresh ingest:\n%s\n---\n%s", d1, d2)
	}
}

func TestEpisodePagination(t *testing.T) {
	st := open(t)
	// 30 episodes; every third has no date; two share a date.
	var docs []*ingest.Document
	for n := 1; n <= 30; n++ {
		d := page(fmt.Sprintf("p%02d.txt", n), n, fmt.Sprintf("2024-%02d-%02d", 1+n%12, 1+n%7), nil, []string{"ai"})
		if n%3 == 0 {
			d.Episode.ReleaseDate = nil
		}
		docs = append(docs, d)
	}
	apply(t, st, docs...)
	orders := []store.EpisodeOrder{{}, {Desc: true}, {ByDate: true}, {ByDate: true, Desc: true}}
	for _, order := range orders {
		t.Run(fmt.Sprintf("%+v", order), func(t *testing.T) {
			full := query(t, st, store.EpisodeQuery{Order: order, Window: store.Window{First: 100, Last: -1}})
			if len(full.Keys) != 30 {
				t.Fatalf("got %d episodes", len(full.Keys))
			}
			checkOrder(t, st, order, full.Keys)
			// Forward in pages of 7, then backward in pages of 4: same sequence.
			var fwd []podcast.EpisodeKey
			var after []byte
			for {
				p := query(t, st, store.EpisodeQuery{Order: order, Window: store.Window{First: 7, Last: -1, After: after}})
				fwd = append(fwd, p.Keys...)
				if after != nil && !p.HasPrevious {
					t.Errorf("page after a cursor says no previous page")
				}
				if !p.HasNext {
					break
				}
				after = p.SortKeys[len(p.SortKeys)-1]
			}
			if !reflect.DeepEqual(fwd, full.Keys) {
				t.Errorf("forward pages = %v\nwant %v", fwd, full.Keys)
			}
			var bwd []podcast.EpisodeKey
			var before []byte
			for {
				p := query(t, st, store.EpisodeQuery{Order: order, Window: store.Window{First: -1, Last: 4, Before: before}})
				bwd = append(p.Keys, bwd...)
				if before != nil && !p.HasNext {
					t.Errorf("page before a cursor says no next page")
				}
				if !p.HasPrevious {
					break
				}
				before = p.SortKeys[0]
			}
			if !reflect.DeepEqual(bwd, full.Keys) {
				t.Errorf("backward pages = %v\nwant %v", bwd, full.Keys)
			}
		})
	}
}

func query(t *testing.T, st *store.Store, q store.EpisodeQuery) *store.EpisodePage {
	t.Helper()
	p, err := st.Episodes(context.Background(), []store.EpisodeQuery{q})
	if err != nil {
		t.Fatal(err)
	}
	return p[0]
}

func checkOrder(t *testing.T, st *store.Store, order store.EpisodeOrder, keys []podcast.EpisodeKey) {
	t.Helper()
	eps, _ := st.EpisodesByKey(context.Background(), keys)
	for i := 1; i < len(eps); i++ {
		a, b := eps[i-1], eps[i]
		if !order.ByDate {
			if (a.Number < b.Number) == order.Desc {
				t.Errorf("%d before %d in %+v", a.Number, b.Number, order)
			}
			continue
		}
		switch {
		case a.ReleaseDate == nil && b.ReleaseDate != nil:
			t.Errorf("undated %d before dated %d", a.Number, b.Number)
		case a.ReleaseDate != nil && b.ReleaseDate == nil:
			// dated before undated: right in either direction
		case a.ReleaseDate != nil && b.ReleaseDate != nil && *a.ReleaseDate != *b.ReleaseDate:
			if a.ReleaseDate.Before(*b.ReleaseDate) == order.Desc {
				t.Errorf("%s before %s in %+v", a.ReleaseDate, b.ReleaseDate, order)
			}
		default: // same day or both undated: by number
			if (a.Number < b.Number) == order.Desc {
				t.Errorf("tie %d before %d in %+v", a.Number, b.Number, order)
			}
		}
	}
}

func TestEpisodeFilters(t *testing.T) {
	st := open(t)
	rng := rand.New(rand.NewPCG(1, 2))
	type ep struct {
		n      int
		day    *podcast.Date
		guests []string
		topics []string
	}
	var want []ep
	var docs []*ingest.Document
	names := []string{"Ann Lee", "Bob Stone", "Cy Young"}
	topics := []string{"ai", "dns", "vpn"}
	for n := 1; n <= 60; n++ {
		e := ep{n: n, day: date(fmt.Sprintf("2025-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)))}
		var gf []ingest.GuestFacts
		for _, name := range names {
			if rng.IntN(3) == 0 {
				gf = append(gf, guest(name, "", ""))
				e.guests = append(e.guests, ingest.Slugify(name))
			}
		}
		for _, tp := range topics {
			if rng.IntN(2) == 0 {
				e.topics = append(e.topics, tp)
			}
		}
		want = append(want, e)
		docs = append(docs, page(fmt.Sprintf("f%02d.txt", n), n, e.day.String(), gf, e.topics))
	}
	apply(t, st, docs...)
	lo, hi := date("2025-03-10"), date("2025-09-20")
	cases := []store.EpisodeQuery{
		{Guest: "ann-lee"}, {Topic: "dns"}, {Guest: "bob-stone", Topic: "ai"},
		{Guest: "cy-young", Topic: "vpn", ReleasedAfter: lo},
		{ReleasedAfter: lo, ReleasedBefore: hi}, {Topic: "ai", ReleasedBefore: hi, Order: store.EpisodeOrder{ByDate: true}},
		{Show: "devops-paradox", Guest: "ann-lee", Topic: "dns", ReleasedAfter: lo, ReleasedBefore: hi, Order: store.EpisodeOrder{ByDate: true, Desc: true}},
		{Show: "other-show"}, {Guest: "nobody"},
		{Topic: "ai", ReleasedAfter: lo}, {Topic: "dns", ReleasedAfter: lo, ReleasedBefore: hi, Order: store.EpisodeOrder{ByDate: true, Desc: true}},
		{ReleasedBefore: hi, Order: store.EpisodeOrder{ByDate: true}}, {Guest: "nobody", ReleasedAfter: lo},
	}
	for _, q := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s/%v/%v/%+v", q.Show, q.Guest, q.Topic, q.ReleasedAfter, q.ReleasedBefore, q.Order), func(t *testing.T) {
			var expect []int
			for _, e := range want {
				if (q.Show == "" || q.Show == "devops-paradox") &&
					(q.Guest == "" || slices.Contains(e.guests, q.Guest)) &&
					(q.Topic == "" || slices.Contains(e.topics, q.Topic)) &&
					(q.ReleasedAfter == nil || q.ReleasedAfter.Before(*e.day)) &&
					(q.ReleasedBefore == nil || e.day.Before(*q.ReleasedBefore)) {
					expect = append(expect, e.n)
				}
			}
			// Walk in pages of 5 and collect.
			var got []int
			var after []byte
			total := -1
			for {
				q.Window = store.Window{First: 5, Last: -1, After: after}
				q.WantTotal = true
				p := query(t, st, q)
				total = p.Total
				for _, k := range p.Keys {
					got = append(got, k.Number)
				}
				if !p.HasNext {
					break
				}
				after = p.SortKeys[len(p.SortKeys)-1]
			}
			slices.Sort(got)
			if !slices.Equal(got, expect) {
				t.Errorf("got %v\nwant %v", got, expect)
			}
			if total != len(expect) {
				t.Errorf("total = %d, want %d", total, len(expect))
			}
		})
	}
}

// A date-ranged total comes from the scope's release days, kept per
// generation: a write that adds or moves an episode in the range shows in
// the next read.
func TestDateRangeTotalFollowsWrites(t *testing.T) {
	st := open(t)
	lo := date("2025-03-01")
	total := func() int {
		t.Helper()
		return query(t, st, store.EpisodeQuery{Topic: "ai", ReleasedAfter: lo, Window: store.Window{First: 1, Last: -1}, WantTotal: true}).Total
	}
	apply(t, st, page("a.txt", 1, "2025-01-10", nil, []string{"ai"}), page("b.txt", 2, "2025-04-10", nil, []string{"ai"}))
	if got := total(); got != 1 {
		t.Fatalf("total = %d, want 1", got)
	}
	apply(t, st, page("c.txt", 3, "2025-05-10", nil, []string{"ai"}))
	if got := total(); got != 2 {
		t.Fatalf("after adding one in range: total = %d, want 2", got)
	}
	moved := page("a.txt", 1, "2025-06-10", nil, []string{"ai"}) // episode 1 moves into the range
	moved.SHA256 += "-moved"
	apply(t, st, moved)
	if got := total(); got != 3 {
		t.Fatalf("after moving one into the range: total = %d, want 3", got)
	}
	left := page("b.txt", 2, "2025-04-10", nil, []string{"dns"}) // episode 2 leaves the topic
	left.SHA256 += "-left"
	apply(t, st, left)
	if got := total(); got != 2 {
		t.Fatalf("after one left the topic: total = %d, want 2", got)
	}
}

func TestOpenInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// bbolt's flock is per open file description, so a second Open in the
	// same process conflicts just as a second process would.
	_, err = store.Open(context.Background(), path, store.Options{LockTimeout: 100 * time.Millisecond})
	if err == nil || !errorsIs(err, store.ErrInUse) {
		t.Fatalf("second open: %v, want ErrInUse", err)
	}
}

func TestBadCursor(t *testing.T) {
	st := open(t)
	apply(t, st, corpus()...)
	_, err := st.Episodes(context.Background(), []store.EpisodeQuery{{Order: store.EpisodeOrder{ByDate: true}, Window: store.Window{First: 5, Last: -1, After: []byte{1, 2}}}})
	if !errorsIs(err, store.ErrBadCursor) {
		t.Fatalf("err = %v, want ErrBadCursor", err)
	}
}

func TestVerifyAfterChanges(t *testing.T) {
	st := open(t)
	docs := corpus()
	apply(t, st, docs...)
	changed := page("b.txt", 322, "2025-10-30", nil, []string{"kubernetes"}, listed(339, "DNS text", []string{"dns"}))
	changed.SHA256 = "changed"
	apply(t, st, changed)
	r, err := st.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Documents != 2 || r.Episodes != 5 {
		t.Errorf("report %+v", r)
	}
}

// Keyset cursors: pages stay right while the store changes between them:
// nothing already seen comes again, nothing still ahead is skipped.
func TestCursorStableAcrossWrites(t *testing.T) {
	st := open(t)
	var docs []*ingest.Document
	for n := 10; n <= 100; n += 10 {
		docs = append(docs, page(fmt.Sprintf("p%03d.txt", n), n, "2024-01-01", nil, nil))
	}
	apply(t, st, docs...)
	first := query(t, st, store.EpisodeQuery{Order: store.EpisodeOrder{Desc: true}, Window: store.Window{First: 4, Last: -1}})
	var seen []int
	for _, k := range first.Keys {
		seen = append(seen, k.Number)
	}
	if !slices.Equal(seen, []int{100, 90, 80, 70}) {
		t.Fatalf("first page %v", seen)
	}
	// Between pages: one episode lands before the cursor, one after it,
	// and one already seen is gone.
	apply(t, st, page("new105.txt", 105, "2024-01-01", nil, nil), page("new65.txt", 65, "2024-01-01", nil, nil))
	gone := page("p090.txt", 90, "2024-01-01", nil, nil)
	gone.Episode.Number = 95 // the page now describes another episode: 90 loses its only source
	gone.SHA256 = "moved"
	apply(t, st, gone)
	rest := query(t, st, store.EpisodeQuery{Order: store.EpisodeOrder{Desc: true},
		Window: store.Window{First: 100, Last: -1, After: first.SortKeys[len(first.SortKeys)-1]}})
	var next []int
	for _, k := range rest.Keys {
		next = append(next, k.Number)
	}
	if want := []int{65, 60, 50, 40, 30, 20, 10}; !slices.Equal(next, want) {
		t.Errorf("after the cursor: %v, want %v", next, want)
	}
}

// Heads are the episodes without their texts, marked Partial, and
// otherwise the whole records; pages read with Heads give heads too.
func TestEpisodeHeads(t *testing.T) {
	st := open(t)
	apply(t, st, corpus()...)
	ctx := context.Background()
	keys := []podcast.EpisodeKey{{Show: "devops-paradox", Number: 316}, {Show: "devops-paradox", Number: 333}, {Show: "devops-paradox", Number: 999}}
	for range 2 { // the second time from the record cache
		whole, err := st.EpisodesByKey(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		heads, err := st.EpisodeHeadsByKey(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		if heads[2] != nil {
			t.Errorf("unknown episode's head = %+v, want nil", heads[2])
		}
		for i, w := range whole[:2] {
			h := heads[i]
			if !h.Partial || w.Partial || h.Summary != "" || h.Description != nil || h.Links != nil {
				t.Fatalf("head %d = %+v; whole %+v", i, h, w)
			}
			if w.Summary == "" {
				t.Fatalf("whole %d has no summary: the test shows nothing", i)
			}
			want := *w
			want.Summary, want.Description, want.Links, want.Partial = "", nil, nil, true
			if !reflect.DeepEqual(*h, want) {
				t.Errorf("head %d = %+v, want %+v", i, *h, want)
			}
		}
		pages, err := st.Episodes(ctx, []store.EpisodeQuery{{Show: "devops-paradox", Window: store.Window{First: 5, Last: -1}, Heads: true}, {Show: "devops-paradox", Window: store.Window{First: 5, Last: -1}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(pages[0].Episodes) == 0 || len(pages[0].Episodes) != len(pages[1].Episodes) {
			t.Fatalf("pages of %d and %d episodes", len(pages[0].Episodes), len(pages[1].Episodes))
		}
		for i, e := range pages[0].Episodes {
			if !e.Partial || e.Summary != "" || pages[1].Episodes[i].Partial || pages[1].Episodes[i].Summary == "" {
				t.Errorf("page episode %d: heads %+v, whole %+v", i, e, pages[1].Episodes[i])
			}
		}
	}
}

// TestChangedPageInOneWrite checks that a page and its changed version in
// the same write leave what the changed version alone says: the sources
// the first version gave episodes it no longer names are taken back
// within the write (sources are gathered and written once per write).
func TestChangedPageInOneWrite(t *testing.T) {
	docs := corpus()
	changed := page("b.txt", 322, "2025-10-29", nil, []string{"kubernetes"},
		listed(339, "DNS text", []string{"dns"}), listed(333, "Pete text", []string{"ai"}, guest("Pete Hunt", "", "")))
	changed.SHA256 = "changed"
	var b *ingest.Document
	for _, d := range docs {
		if d.Name == "b.txt" {
			b = d
		}
	}
	if b == nil {
		t.Fatal("the corpus has no b.txt")
	}
	st := open(t)
	apply(t, st, append(slices.Clone(docs), changed)...)
	ctx := context.Background()
	srcs, err := st.Sources(ctx, []podcast.EpisodeKey{{Show: "devops-paradox", Number: 330}})
	if err != nil || len(srcs[0]) != 1 || srcs[0][0].Name != "a.txt" {
		t.Errorf("330 sources = %v (%v), want only a.txt", srcs, err)
	}
	fresh := open(t)
	var others []*ingest.Document
	for _, d := range docs {
		if d.Name != "b.txt" {
			others = append(others, d)
		}
	}
	apply(t, fresh, append(others, changed)...)
	if d1, d2 := dump(t, st), dump(t, fresh); d1 != d2 {
		t.Errorf("both versions in one write differ from the changed one alone:\n%s\n---\n%s", d1, d2)
	}
}

// A list's page at either end (no cursor, no filter) is kept in the record
// cache for the generation: each one, read again and after each write,
// agrees with the same page walked without the cache (the same query with
// a date bound every episode is within, which the cache does not keep).
func TestEndPagesFollowWrites(t *testing.T) {
	st := open(t)
	rng := rand.New(rand.NewPCG(3, 4))
	names := []string{"Ann Lee", "Bob Stone", "Cy Young"}
	topics := []string{"ai", "dns"}
	doc := func(n int, rev int) *ingest.Document {
		var gf []ingest.GuestFacts
		for _, name := range names {
			if rng.IntN(2) == 0 {
				gf = append(gf, guest(name, "", ""))
			}
		}
		var tp []string
		for _, x := range topics {
			if rng.IntN(2) == 0 {
				tp = append(tp, x)
			}
		}
		d := page(fmt.Sprintf("e%02d.txt", n), n, fmt.Sprintf("2025-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)), gf, tp)
		d.SHA256 += fmt.Sprint("-", rev)
		d.Episode.Title = fmt.Sprintf("Episode %d, revision %d", n, rev)
		return d
	}
	never := date("2999-01-01")
	check := func(round int) {
		t.Helper()
		for _, scope := range []store.EpisodeQuery{{}, {Guest: "ann-lee"}, {Guest: "bob-stone"}, {Topic: "dns"}, {Show: "devops-paradox"}, {Guest: "nobody"}} {
			for _, order := range []store.EpisodeOrder{{}, {Desc: true}, {ByDate: true}, {ByDate: true, Desc: true}} {
				for _, c := range []struct {
					w            store.Window
					heads, total bool
				}{
					{store.Window{First: 3, Last: -1}, true, true}, {store.Window{First: 3, Last: -1}, false, true}, {store.Window{First: 3, Last: -1}, true, false},
					{store.Window{First: -1, Last: 3}, true, true}, {store.Window{First: -1, Last: 100}, true, true}, {store.Window{First: -1, Last: 100}, false, false},
					{store.Window{First: 100, Last: -1}, true, true}, {store.Window{First: 0, Last: -1}, false, true},
				} {
					w := c.w
					q := scope
					q.Order, q.Window, q.WantTotal, q.Heads = order, w, c.total, c.heads
					ref := q
					ref.ReleasedBefore = never
					want := query(t, st, ref)
					for range 2 { // the first may fill the cache, the second reads it
						got := query(t, st, q)
						if !slices.Equal(got.Keys, want.Keys) || got.HasPrevious != want.HasPrevious || got.HasNext != want.HasNext || got.Total != want.Total {
							t.Fatalf("round %d, %+v %+v %+v: got %v prev %v next %v total %d\nwant %v prev %v next %v total %d", round, scope, order, w,
								got.Keys, got.HasPrevious, got.HasNext, got.Total, want.Keys, want.HasPrevious, want.HasNext, want.Total)
						}
						for i := range got.SortKeys {
							if !bytes.Equal(got.SortKeys[i], want.SortKeys[i]) {
								t.Fatalf("round %d, %+v %+v %+v: sort key %d is %x, want %x", round, scope, order, w, i, got.SortKeys[i], want.SortKeys[i])
							}
							if g, w := *got.Episodes[i].Title, *want.Episodes[i].Title; g != w {
								t.Fatalf("round %d, %+v %+v: episode %d is %q, want %q", round, scope, order, i, g, w)
							}
							if g, w := got.Episodes[i].Partial, want.Episodes[i].Partial; g != w {
								t.Fatalf("round %d, %+v %+v, heads %v: episode %d partial: %v, want %v", round, scope, order, q.Heads, i, g, w)
							}
						}
					}
				}
			}
		}
	}
	var docs []*ingest.Document
	for n := 1; n <= 12; n++ {
		docs = append(docs, doc(n, 0))
	}
	apply(t, st, docs...)
	check(0)
	for round := 1; round <= 8; round++ {
		// Change two pages (guests, topics, days), and add one.
		apply(t, st, doc(1+rng.IntN(12+round-1), round), doc(1+rng.IntN(12+round-1), round), doc(12+round, round))
		check(round)
	}
}

// End pages read by many requests at once while writes land are each
// whole: their episodes, keys and sort keys agree (run with -race, this
// also checks that a shared page is only read).
func TestEndPagesSharedAcrossReaders(t *testing.T) {
	st := open(t)
	var docs []*ingest.Document
	for n := 1; n <= 20; n++ {
		docs = append(docs, page(fmt.Sprintf("e%02d.txt", n), n, fmt.Sprintf("2025-01-%02d", n), []ingest.GuestFacts{guest("Ann Lee", "", "")}, []string{"ai"}))
	}
	apply(t, st, docs...)
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				ps, err := st.Episodes(context.Background(), []store.EpisodeQuery{
					{Guest: "ann-lee", Heads: true, Window: store.Window{First: 5, Last: -1}},
					{Topic: "ai", Heads: true, WantTotal: true, Window: store.Window{First: 5, Last: -1}},
				})
				if err != nil {
					errs <- err
					return
				}
				for _, p := range ps {
					if len(p.Episodes) != len(p.Keys) || len(p.SortKeys) != len(p.Keys) {
						errs <- fmt.Errorf("%d episodes, %d keys, %d sort keys", len(p.Episodes), len(p.Keys), len(p.SortKeys))
						return
					}
					for i, e := range p.Episodes {
						if e.Number != p.Keys[i].Number {
							errs <- fmt.Errorf("episode %d under key %d", e.Number, p.Keys[i].Number)
							return
						}
					}
				}
			}
		}()
	}
	for n := 21; n <= 40; n++ {
		apply(t, st, page(fmt.Sprintf("e%02d.txt", n), n, fmt.Sprintf("2025-02-%02d", n-20), []ingest.GuestFacts{guest("Ann Lee", "", "")}, []string{"ai"}))
	}
	close(stop)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	p := query(t, st, store.EpisodeQuery{Guest: "ann-lee", Window: store.Window{First: 1, Last: -1}, Order: store.EpisodeOrder{Desc: true}})
	if len(p.Keys) != 1 || p.Keys[0].Number != 40 {
		t.Errorf("after the writes, the guest's latest episode is %v, want 40", p.Keys)
	}
}

// A file that is not a store (random bytes, short or long, or text) is
// refused as such, naming the path, and left as it was.
func TestOpenRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"random-short.db": bytes.Repeat([]byte{0x5a, 0x13}, 10000),
		"random-long.db":  bytes.Repeat([]byte{0x01, 0x02, 0x03}, 40000),
		"text.db":         []byte("hello, this is not a store\n"),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := store.Open(context.Background(), path, store.Options{})
		if !errors.Is(err, store.ErrNotAStore) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want ErrNotAStore naming the path", name, err)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
			t.Errorf("%s: changed by the attempt", name)
		}
	}
}

// A scan's reads (ScanSnapshot, as the search index reads the store)
// neither fill nor use the decoded-record cache; a request's snapshot
// reading the same records fills it. Both read the same records.
func TestScanSnapshotLeavesRecordCache(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "test.db"), store.Options{NoSync: true, CacheBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	apply(t, st, corpus()...)
	read := func(scan bool) string {
		t.Helper()
		open := st.Snapshot
		if scan {
			open = st.ScanSnapshot
		}
		sn, err := open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer sn.Close()
		all, err := sn.All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		eps, err := sn.EpisodesByKey(ctx, all.Episodes)
		if err != nil {
			t.Fatal(err)
		}
		gs, err := sn.GuestsBySlug(ctx, all.Guests)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) == 0 || len(gs) == 0 {
			t.Fatalf("%d episodes and %d guests read", len(eps), len(gs))
		}
		js, err := json.Marshal([]any{eps, gs})
		if err != nil {
			t.Fatal(err)
		}
		return string(js)
	}
	scanned := read(true)
	if n := store.CachedBytes(st); n != 0 {
		t.Fatalf("a scan left %d bytes in the record cache", n)
	}
	requested := read(false)
	if store.CachedBytes(st) == 0 {
		t.Fatalf("a request's snapshot cached nothing: the test sees no cache")
	}
	if scanned != requested {
		t.Errorf("a scan read\n%s\nand a request\n%s", scanned, requested)
	}
	if again := read(true); again != scanned {
		t.Errorf("a scan after the cache filled read\n%s\nwant\n%s", again, scanned)
	}
}
