package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

// Status says what Apply did with a document.
type Status string

// The outcomes of applying a document.
const (
	Added     Status = "added"
	Updated   Status = "updated"
	Unchanged Status = "unchanged"
)

// Result is what applying one document did.
type Result struct {
	Name     string
	Status   Status
	Episodes int // episodes the page names (its own and its listing)
	Guests   int
	Topics   int
	Warnings []string
	// Index is the replicated log index the write committed at
	// (ApplyOptions.LogIndex); 0 outside a cluster.
	Index uint64
}

// ApplyOptions qualify a write.
type ApplyOptions struct {
	// Fingerprint identifies the extractor and vocabulary that produced the
	// documents: a document whose bytes and fingerprint are both unchanged
	// is skipped.
	Fingerprint string
	// Now stamps the sources; nil means time.Now. A replicated write
	// carries its leader's time here, so every replica stamps the same.
	Now func() time.Time
	// LogIndex, when not zero, is the index of the replicated log entry
	// the write applies: it is recorded in the same transaction (see
	// AppliedIndex) and returned in every Result.
	LogIndex uint64
}

// docRecord is what the store remembers of an ingested page: its identity
// and the fragments it contributed, so that a changed page can take back
// exactly what it said.
type docRecord struct {
	Name        string       `json:"name"`
	SHA256      string       `json:"sha256"`
	Fingerprint string       `json:"fingerprint"`
	IngestedAt  time.Time    `json:"ingestedAt"`
	Warnings    []string     `json:"warnings"`
	Fragments   fragmentKeys `json:"fragments"`
}

// episodes lists the episodes the document names, from its fragments.
func (rec *docRecord) episodes() []podcast.EpisodeKey {
	var out []podcast.EpisodeKey
	for _, f := range rec.Fragments {
		if e, ok := fragmentEntity(f); ok && e.kind == fragEpisode {
			if k, ok := parseEpisodeKey([]byte(e.id)); ok {
				out = append(out, k)
			}
		}
	}
	return out
}

// fragmentKeys encode as one byte string of uvarint-length-prefixed keys:
// a document states a few dozen fragments, and a JSON list of base64
// strings would double the record.
type fragmentKeys [][]byte

// MarshalJSON implements json.Marshaler.
func (f fragmentKeys) MarshalJSON() ([]byte, error) {
	var packed []byte
	for _, k := range f {
		packed = binary.AppendUvarint(packed, uint64(len(k)))
		packed = append(packed, k...)
	}
	return json.Marshal(packed)
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *fragmentKeys) UnmarshalJSON(b []byte) error {
	var packed []byte
	if err := json.Unmarshal(b, &packed); err != nil {
		return err
	}
	*f = nil
	for len(packed) > 0 {
		n, w := binary.Uvarint(packed)
		if w <= 0 || uint64(len(packed)-w) < n {
			return fmt.Errorf("corrupt fragment list")
		}
		*f = append(*f, packed[w:w+int(n)])
		packed = packed[w+int(n):]
	}
	return nil
}

// Change is announced to subscribers after a write commits.
type Change struct {
	Generation uint64
	Documents  []string
	Shows      []string
	Episodes   []podcast.EpisodeKey
	Guests     []string
	// Topics are the topics whose vocabulary entry changed (SetVocabulary);
	// a topic an episode gains or loses is seen through the episode.
	Topics []string `json:",omitempty"`
	// Restored says that the whole store was replaced (a replica
	// restored a snapshot): everything may have changed, and the lists
	// above are empty.
	Restored bool
}

// Subscribe registers fn to be called, after commit, with what each write
// changed. It must not block: it runs on the writer's goroutine.
func (s *Store) Subscribe(fn func(Change)) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.subs = append(s.subs, fn)
}

// Apply writes documents in one transaction: all of them or none. Each
// document replaces what an earlier version of the same name contributed;
// an unchanged one is skipped. It returns one Result per document, in order.
func (s *Store) Apply(ctx context.Context, docs []*ingest.Document, opts ApplyOptions) ([]Result, error) {
	prepared := make([]*Prepared, len(docs))
	for i, d := range docs {
		prepared[i] = Prepare(d)
	}
	return s.ApplyPrepared(ctx, prepared, opts)
}

// Prepared is a document split into the fragments it states: the encoding
// and hashing Apply needs, done outside the write transaction, on any
// goroutine, so that bulk ingest can prepare the next batch while the
// current one is written. It keeps of the document only its identity and
// what its Result counts, not its text: a batch of Prepared documents
// waiting for the writer costs their fragments alone.
type Prepared struct {
	doc      *ingest.Document // Name, SHA256 and Warnings only
	result   Result           // what applying it reports, but the status
	frags    []fragment
	episodes []podcast.EpisodeKey
	err      error
	source   *FileStat // the file it was read from (sources.go)
	// discovered are the names the own episode's text uses that the
	// vocabulary lacks (discovered.go).
	discovered []ingest.Mention
	// id names the show and episode; frags and episodes are keyed with
	// the slug and number the document states, which the write may move
	// (identity.go).
	id *identity
}

// Prepare encodes a document for ApplyPrepared. It does no I/O.
func Prepare(doc *ingest.Document) *Prepared {
	return prepare(doc, nil)
}

func prepare(doc *ingest.Document, memo *Memo) *Prepared {
	frags, episodes, err := fragmentsOf(doc, memo)
	if err == nil {
		err = checkKeys(doc.Name, frags)
	}
	if err == nil && doc.Kind == ingest.KindFeedItem && doc.Show.Slug == "" {
		err = errNoShowSlug
	}
	r := Result{Name: doc.Name, Episodes: 1 + len(doc.Listing), Guests: len(doc.Guests), Warnings: doc.Warnings}
	// The distinct topics: a page names a few, from a vocabulary of some
	// dozens, so a list does better than a set.
	topics := slices.Clone(doc.Episode.Topics)
	for _, l := range doc.Listing {
		r.Guests += len(l.Guests)
		topics = append(topics, l.Topics...)
	}
	slices.Sort(topics)
	r.Topics = len(slices.Compact(topics))
	named := &ingest.Document{Name: doc.Name, SHA256: doc.SHA256, Warnings: doc.Warnings}
	return &Prepared{doc: named, result: r, frags: frags, episodes: episodes, err: err, id: identityOf(doc),
		discovered: doc.Episode.Discovered}
}

// Share makes p's fragments use the bytes of the identical fragments (same
// key: fragments are content-addressed) that seen holds, and adds the
// others to seen. Documents of one batch state many fragments alike (a
// page lists the episodes the pages before it listed): sharing them, a
// batch waiting for the writer holds each once. seen is the caller's;
// Share is for one goroutine at a time.
func (p *Prepared) Share(seen map[string][]byte) {
	for i, f := range p.frags {
		if v, ok := seen[string(f.key)]; ok {
			p.frags[i].value = v
		} else {
			seen[string(f.key)] = f.value
		}
	}
}

// Name returns the name of the prepared document.
func (p *Prepared) Name() string { return p.doc.Name }

// Err returns why the store cannot hold the document (a key too long), or
// nil; ApplyPrepared would refuse it with a *DocumentError.
func (p *Prepared) Err() error { return p.err }

// ApplyPrepared is Apply for prepared documents. A failure of one document
// (a key too long, a write the store refuses) is a *DocumentError naming
// it, and nothing of the batch is written: the caller can retry without it.
// Other errors are the store's or ctx's (see IsStoreWide).
func (s *Store) ApplyPrepared(ctx context.Context, docs []*Prepared, opts ApplyOptions) ([]Result, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	results := make([]Result, len(docs))
	var change Change
	err := s.update(ctx, func(tx *bolt.Tx, m *maxima) (bool, error) {
		w := newWriter(tx, now().UTC(), m)
		resolved, err := w.resolve(docs)
		if err != nil {
			return false, fmt.Errorf("store: apply: %w", err)
		}
		for i, p := range docs {
			if i%64 == 0 {
				if err := ctx.Err(); err != nil {
					return false, err
				}
			}
			if s.failApply != nil {
				if err := s.failApply(p.doc.Name); err != nil {
					return false, fmt.Errorf("store: apply: %w", err)
				}
			}
			r, err := w.applyDoc(p, resolved[i], opts.Fingerprint)
			if err != nil {
				return false, fmt.Errorf("store: apply: %w", &DocumentError{Name: p.doc.Name, Err: docCause(err)})
			}
			if err := w.putSource(p, r, opts.Fingerprint); err != nil {
				return false, fmt.Errorf("store: apply: %w", &DocumentError{Name: p.doc.Name, Err: docCause(err)})
			}
			r.Index = opts.LogIndex
			results[i] = r
		}
		if err := putApplied(tx, opts.LogIndex); err != nil {
			return false, fmt.Errorf("store: apply: %w", err)
		}
		if err := w.rebuild(); err != nil {
			return false, fmt.Errorf("store: apply: %w", err)
		}
		for k := range w.touched {
			m.sources(w.b.epsrc, k)
		}
		change = w.change()
		if len(change.Documents) == 0 {
			return false, nil
		}
		change.Generation = generation(tx) + 1
		return true, putChange(tx, &change)
	})
	if err != nil {
		return nil, err
	}
	if len(change.Documents) > 0 {
		s.announce(change)
	}
	return results, nil
}

func (s *Store) announce(c Change) {
	s.subMu.Lock()
	subs := s.subs
	s.subMu.Unlock()
	for _, fn := range subs {
		fn(c)
	}
}

// writer carries one write transaction: the documents applied so far mark
// entities dirty, and rebuild merges each dirty entity once at the end.
type writer struct {
	tx  *bolt.Tx
	at  time.Time
	b   buckets
	doc []string
	max *maxima // raised to every record written

	dirtyShows    map[string]bool
	dirtyEpisodes map[podcast.EpisodeKey]bool
	dirtyGuests   map[string]bool
	touched       map[podcast.EpisodeKey]bool       // sources changed
	sourceOps     map[podcast.EpisodeKey][]sourceOp // sources to add and remove, in order (see flushSources)

	countDeltas map[string]int       // episode-count changes by scope, applied by flushCounts
	pairDeltas  map[string]int       // pair-count changes by pair key
	refCounts   map[string]*refCount // fragments' reference counts, by fragment key (see flushRefs)
	refsC       cursorBucket         // the refs bucket, read through one cursor
	indexOps    []indexOp            // index entries to add or remove (see flushIndexes)

	guestMemo map[string]string     // show 0 name slug -> guest slug, as given in this write (guests.go)
	guestNew  map[string]*guestSeen // guests given out in this write

	disc discoveredWrite // the mentions this write changed (discovered.go)
}

type buckets struct {
	docs, frags, refs, shows, episodes, epsrc, guests, topics, vocab, bynum, bydate, counts, bycount, pairs, days *bolt.Bucket
	showids, feedeps, guestids, discovered                                                                        *bolt.Bucket
}

func bucketsOf(tx *bolt.Tx) buckets {
	b := buckets{
		docs: tx.Bucket(bucketDocs), frags: tx.Bucket(bucketFrags), refs: tx.Bucket(bucketRefs), shows: tx.Bucket(bucketShows),
		episodes: tx.Bucket(bucketEpisodes), epsrc: tx.Bucket(bucketEpSrc), guests: tx.Bucket(bucketGuests),
		topics: tx.Bucket(bucketTopics), vocab: tx.Bucket(bucketVocab), bynum: tx.Bucket(bucketByNum),
		bydate: tx.Bucket(bucketByDate), counts: tx.Bucket(bucketCounts), bycount: tx.Bucket(bucketByCount),
		pairs: tx.Bucket(bucketPairs), days: tx.Bucket(bucketDays),
		showids: tx.Bucket(bucketShowIDs), feedeps: tx.Bucket(bucketFeedEps), guestids: tx.Bucket(bucketGuestIDs),
		discovered: tx.Bucket(bucketDiscovered),
	}
	// Buckets filled mostly in key order (bulk ingest adds names and
	// episode numbers in order) pack their pages fuller than bbolt's
	// default of half.
	for _, bk := range []*bolt.Bucket{b.docs, b.episodes, b.epsrc, b.days, b.bynum, b.bydate, b.frags, b.refs} {
		bk.FillPercent = 0.9
	}
	return b
}

func newWriter(tx *bolt.Tx, at time.Time, m *maxima) *writer {
	b := bucketsOf(tx)
	return &writer{
		tx: tx, at: at, b: b, max: m,
		dirtyShows:    map[string]bool{},
		dirtyEpisodes: map[podcast.EpisodeKey]bool{},
		dirtyGuests:   map[string]bool{},
		touched:       map[podcast.EpisodeKey]bool{},
		sourceOps:     map[podcast.EpisodeKey][]sourceOp{},
		countDeltas:   map[string]int{},
		pairDeltas:    map[string]int{},
		refCounts:     map[string]*refCount{},
		refsC:         newCursorBucket(b.refs),
		guestMemo:     map[string]string{},
		guestNew:      map[string]*guestSeen{},
		disc:          discoveredWrite{pairs: map[string]*pairChange{}, days: map[podcast.EpisodeKey]uint32{}},
	}
}

func (w *writer) applyDoc(p *Prepared, at resolution, fingerprint string) (Result, error) {
	doc := p.doc
	r := p.result
	r.Status = Added

	var old docRecord
	if v := w.b.docs.Get([]byte(doc.Name)); v != nil {
		if err := decodeDocRecord(v, &old); err != nil {
			return r, fmt.Errorf("decode document record: %w", err)
		}
		if old.SHA256 == doc.SHA256 && old.Fingerprint == fingerprint {
			r.Status = Unchanged
			return r, nil
		}
		r.Status = Updated
	}
	if p.err != nil {
		return r, p.err
	}
	frags, episodes := p.frags, p.episodes
	if p.id != nil {
		var err error
		if frags, episodes, err = rekey(p.id, at, frags, episodes); err != nil {
			return r, err
		}
		if err := checkKeys(doc.Name, frags); err != nil {
			return r, err
		}
	}
	// Take back what the old version said that the new one does not, then
	// add what is new; facts stated by both are left alone.
	var keep map[string]bool // a new document had nothing to take back
	if len(old.Fragments) > 0 {
		keep = make(map[string]bool, len(frags))
		for _, f := range frags {
			keep[string(f.key)] = true
		}
	}
	had := make(map[string]bool, len(old.Fragments))
	for _, k := range old.Fragments {
		had[string(k)] = true
		if !keep[string(k)] {
			w.unref(k)
		}
	}
	rec := docRecord{Name: doc.Name, SHA256: doc.SHA256, Fingerprint: fingerprint, IngestedAt: w.at,
		Warnings: doc.Warnings}
	for _, f := range frags {
		rec.Fragments = append(rec.Fragments, f.key)
		if !had[string(f.key)] {
			w.ref(f)
		}
	}
	// Sources: every episode the page names lists the page. Sources are
	// read apart from the episode, so they alone do not make it dirty.
	// The entry is only a link: a source's details are the document's.
	named := make(map[podcast.EpisodeKey]bool, len(episodes))
	for _, k := range episodes {
		named[k] = true
	}
	for _, k := range old.episodes() {
		if !named[k] {
			w.source(k, doc.Name, false)
		}
		w.touched[k] = true
	}
	for _, k := range episodes {
		w.source(k, doc.Name, true)
		w.touched[k] = true
	}
	v := encodeDocRecord(&rec)
	w.max.doc(&rec)
	if err := w.b.docs.Put([]byte(doc.Name), v); err != nil {
		return r, err
	}
	if err := w.putMentions(doc.Name, episodes[0], p.discovered); err != nil {
		return r, err
	}
	w.doc = append(w.doc, doc.Name)
	return r, nil
}

func (w *writer) markDirty(key []byte) {
	e, ok := fragmentEntity(key)
	if !ok {
		return
	}
	switch e.kind {
	case fragShow:
		w.dirtyShows[e.id] = true
	case fragGuest:
		w.dirtyGuests[e.id] = true
	case fragEpisode:
		if k, ok := parseEpisodeKey([]byte(e.id)); ok {
			w.dirtyEpisodes[k] = true
		}
	}
}

// rebuild writes the fragments the documents added and removed, then
// merges every dirty entity from its fragments.
// Entities are visited in key order: neighbouring keys share B+tree
// pages, which a random order would fault in again and again.
func (w *writer) rebuild() error {
	if err := w.flushSources(); err != nil {
		return err
	}
	if err := w.flushRefs(); err != nil {
		return err
	}
	for _, slug := range slices.Sorted(maps.Keys(w.dirtyShows)) {
		if err := w.rebuildShow(slug); err != nil {
			return fmt.Errorf("rebuild show %s: %w", slug, err)
		}
	}
	for _, slug := range slices.Sorted(maps.Keys(w.dirtyGuests)) {
		if err := w.rebuildGuest(slug); err != nil {
			return fmt.Errorf("rebuild guest %s: %w", slug, err)
		}
	}
	episodes := slices.SortedFunc(maps.Keys(w.dirtyEpisodes), func(a, b podcast.EpisodeKey) int {
		return cmp.Or(cmp.Compare(a.Show, b.Show), cmp.Compare(a.Number, b.Number))
	})
	for _, k := range episodes {
		if err := w.rebuildEpisode(k); err != nil {
			return fmt.Errorf("rebuild episode %s %d: %w", k.Show, k.Number, err)
		}
	}
	if err := w.flushDiscovered(); err != nil {
		return err
	}
	if err := w.flushIndexes(); err != nil {
		return err
	}
	return w.flushCounts()
}

func (w *writer) change() Change {
	c := Change{Documents: w.doc}
	for s := range w.dirtyShows {
		c.Shows = append(c.Shows, s)
	}
	for k := range w.dirtyEpisodes {
		c.Episodes = append(c.Episodes, k)
	}
	for k := range w.touched {
		if !w.dirtyEpisodes[k] {
			c.Episodes = append(c.Episodes, k)
		}
	}
	for g := range w.dirtyGuests {
		c.Guests = append(c.Guests, g)
	}
	return c
}

// fragments returns the encoded fragments of an entity, best first.
func (w *writer) fragments(kind byte, id string) (own, listing [][]byte) {
	prefix := fragPrefix(kind, id)
	c := w.b.frags.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != len(prefix)+9 {
			continue
		}
		js := v
		if k[len(prefix)] == prioOwn {
			own = append(own, js)
		} else {
			listing = append(listing, js)
		}
	}
	return own, listing
}

func (w *writer) rebuildShow(slug string) error {
	own, listing := w.fragments(fragShow, slug)
	frags := append(own, listing...)
	existed := w.b.shows.Get([]byte(slug)) != nil
	if len(frags) == 0 {
		if existed {
			if err := addU32(w.b.counts, totalShows, -1); err != nil {
				return err
			}
		}
		return w.b.shows.Delete([]byte(slug))
	}
	show, err := mergeShow(slug, frags)
	if err != nil {
		return err
	}
	if !existed {
		if err := addU32(w.b.counts, totalShows, +1); err != nil {
			return err
		}
	}
	w.max.show(show)
	return putRecord(w.b.shows, []byte(slug), show)
}

func (w *writer) rebuildGuest(slug string) error {
	own, listing := w.fragments(fragGuest, slug)
	existed := w.b.guests.Get([]byte(slug)) != nil
	if len(own)+len(listing) == 0 {
		if existed {
			if err := addU32(w.b.counts, totalGuests, -1); err != nil {
				return err
			}
		}
		return w.b.guests.Delete([]byte(slug))
	}
	g, err := mergeGuest(slug, own, listing)
	if err != nil {
		return err
	}
	if !existed {
		if err := addU32(w.b.counts, totalGuests, +1); err != nil {
			return err
		}
	}
	w.max.guest(g)
	return putRecord(w.b.guests, []byte(slug), g)
}

func putRecord(b *bolt.Bucket, key []byte, v any) error {
	rec, err := encodeRecord(v)
	if err != nil {
		return err
	}
	return b.Put(key, rec)
}
