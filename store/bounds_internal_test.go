package store

import (
	"context"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/podcast"
)

func generatedDocs(t *testing.T, from, n int) []*ingest.Document {
	t.Helper()
	docs := make([]*ingest.Document, 0, n)
	vocab := ingest.DefaultVocabulary()
	for i := from; i < from+n; i++ {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 2, Seed: 5})
		doc, err := ingest.Parse(name, data, vocab)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs = append(docs, doc)
	}
	return docs
}

// scanned returns the maxima computed from every record.
func scanned(t *testing.T, st *Store) *maxima {
	t.Helper()
	var m *maxima
	if err := st.db.View(func(tx *bolt.Tx) (err error) { m, err = scanMaxima(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBoundsFollowWrites checks that the bounds the write path keeps are
// the true maxima after writes that only add, that they hold for every
// relation the store answers, that they survive reopening, and that a file
// whose bounds are missing or stale is scanned again on open.
func TestBoundsFollowWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bounds.db")
	st, err := Open(ctx, path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	for from := 0; from < 240; from += 80 { // three write transactions
		if _, err := st.Apply(ctx, generatedDocs(t, from, 80), ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	vocab := []podcast.Topic{{Slug: "dns", Name: "DNS", Aliases: []string{"domain names", "resolvers", "name servers"}}}
	if err := st.SetVocabulary(ctx, vocab); err != nil {
		t.Fatal(err)
	}
	b, err := st.Bounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b.Lists["Topic.aliases"] != 3 {
		t.Errorf("Topic.aliases bound %d after a vocabulary with 3 aliases", b.Lists["Topic.aliases"])
	}
	if gen, _ := st.Generation(); b.Generation != gen {
		t.Errorf("bounds of generation %d, store at %d", b.Generation, gen)
	}
	m := scanned(t, st)
	for k, v := range m.Lists {
		if b.Lists[k] != v {
			t.Errorf("%s: kept %d, records say %d", k, b.Lists[k], v)
		}
	}
	if !maps.Equal(b.Texts, m.Texts) {
		t.Errorf("texts: kept %v, records say %v", b.Texts, m.Texts)
	}
	for _, k := range []string{"Episode.guests", "Episode.topics", "Episode.sources", "Guest.links", "Show.hosts"} {
		if b.Lists[k] == 0 {
			t.Errorf("%s: no bound kept", k)
		}
	}

	// Every relation's list is within its derived bound.
	var guests, topics, shows []string
	_ = st.db.View(func(tx *bolt.Tx) error {
		for name, dst := range map[string]*[]string{"guests": &guests, "topics": &topics, "shows": &shows} {
			_ = tx.Bucket([]byte(name)).ForEach(func(k, _ []byte) error { *dst = append(*dst, string(k)); return nil })
		}
		return nil
	})
	check := func(field string, rel Relation, slugs []string) {
		qs := make([]RelatedQuery, len(slugs))
		for i, s := range slugs {
			qs[i] = RelatedQuery{Relation: rel, Slug: s}
		}
		lists, err := st.Related(ctx, qs)
		if err != nil {
			t.Fatal(err)
		}
		longest := 0
		for _, l := range lists {
			longest = max(longest, len(l))
		}
		if longest > b.Lists[field] || longest == 0 {
			t.Errorf("%s: longest list %d, bound %d", field, longest, b.Lists[field])
		}
	}
	check("Guest.coGuests", CoGuests, guests)
	check("Guest.topics", GuestTopics, guests)
	check("Topic.guests", TopicGuests, topics)
	check("Topic.related", RelatedTopics, topics)
	check("Show.guests", ShowGuests, shows)

	// A page rewritten shorter lowers nothing: the bounds are maxima.
	doc := generatedDocs(t, 0, 1)[0]
	doc.SHA256 += "-shorter"
	doc.Episode.Description = "Short."
	if _, err := st.Apply(ctx, []*ingest.Document{doc}, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	after, err := st.Bounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Generation == b.Generation || after.Texts["Episode.description"] != b.Texts["Episode.description"] {
		t.Errorf("after a shorter rewrite: generation %d -> %d, description bound %d -> %d",
			b.Generation, after.Generation, b.Texts["Episode.description"], after.Texts["Episode.description"])
	}

	// Reopened, the file has the same bounds; with its bounds gone (a
	// file from before they were kept), Open scans it.
	st.Close()
	for _, damage := range []string{"", "missing", "stale"} {
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			switch damage {
			case "missing":
				return meta.Delete(keyBounds)
			case "stale": // too low, and a write since by a build that did not keep them
				if err := meta.Put(keyBounds, []byte(strings.Replace(string(meta.Get(keyBounds)), `"lists":{`, `"lists":{"Episode.guests":0,`, 1))); err != nil {
					return err
				}
				return meta.Put(keyGeneration, u64(generation(tx)+1))
			}
			return nil
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if st, err = Open(ctx, path, Options{NoSync: true}); err != nil {
			t.Fatal(err)
		}
		got, err := st.Bounds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if damage == "" && (!maps.Equal(got.Lists, after.Lists) || !maps.Equal(got.Texts, after.Texts)) {
			t.Errorf("reopened: %v %v, want %v %v", got.Lists, got.Texts, after.Lists, after.Texts)
		}
		want := scanned(t, st)
		if got.Lists["Episode.guests"] != want.Lists["Episode.guests"] || damage != "" && !maps.Equal(got.Texts, want.Texts) {
			t.Errorf("%s bounds: %v, records say %v", damage, got.Lists, want.Lists)
		}
		st.Close()
	}
	st, _ = Open(ctx, path, Options{NoSync: true})
}
