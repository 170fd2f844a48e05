package search

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// Feeder keeps an Index equal to a store: it catches up from the store's
// change journal when the store announces a write (store.Subscribe), on
// start (repairing whatever a crash left between a commit and the index),
// and when a search asks for a generation it has not reached (WaitFor).
// It saves the index beside the store file now and then and on Close.
type Feeder struct {
	st   *store.Store
	path string
	log  *slog.Logger

	mu       sync.Mutex // serialises catch-ups and saves
	ix       atomic.Pointer[Index]
	advanced chan struct{} // closed and replaced when the index moves
	advMu    sync.Mutex

	nudge   chan struct{}
	want    chan struct{} // WaitFor: catch up, held or not
	held    atomic.Int32  // Hold: nudges and ticks are let pass
	saveNow chan struct{}
	stop    chan struct{}
	done    chan struct{}

	cacheBytes int64 // Options.CacheBytes, given to every index (adopt)

	savedGen  uint64 // the generation of the file at Path, when saved is set
	saved     bool
	startInfo StartInfo
}

// StartInfo says how Open brought the index up to date.
type StartInfo struct {
	Loaded   bool   // a saved index was read
	Rebuilt  bool   // the index was built from the whole store
	Replayed int    // journal entries applied on start
	From, To uint64 // generations: of the saved index, of the store
	Why      string // why no saved index was used, or why it was rebuilt
}

// Path returns the file an index of the store at dbPath is saved in.
func Path(dbPath string) string { return dbPath + ".search" }

// Options configure a Feeder.
type Options struct {
	// SaveEvery is how often the index is saved while it changes
	// (default 30s; the journal covers what happened since).
	SaveEvery time.Duration
	Log       *slog.Logger
	// CacheBytes bounds what searches keep of the postings they read,
	// decoded, until the index next changes (impacts.go): 0 for the
	// default, 32 MiB; negative for nothing kept.
	CacheBytes int64
}

// Open loads the index saved for st (Path), brings it up to date with
// the store (the changes since its generation, or a rebuild when there
// is no usable saved index or the journal does not reach back), and
// follows the store's changes until Close. It returns the store's errors.
func Open(ctx context.Context, st *store.Store, opts Options) (*Feeder, error) {
	if opts.SaveEvery <= 0 {
		opts.SaveEvery = 30 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	f := &Feeder{st: st, path: Path(st.Path()), log: opts.Log, cacheBytes: opts.CacheBytes, advanced: make(chan struct{}),
		nudge: make(chan struct{}, 1), want: make(chan struct{}, 1), saveNow: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	ix, err := Load(f.path)
	switch {
	case err == nil:
		f.startInfo.Loaded = true
		f.startInfo.From = ix.Generation()
		f.savedGen, f.saved = ix.Generation(), true
	case errors.Is(err, fs.ErrNotExist):
		ix = New()
		f.startInfo.Why = "no saved index"
	default:
		ix = New()
		f.startInfo.Why = err.Error()
	}
	f.adopt(ix)
	st.Subscribe(func(store.Change) {
		select {
		case f.nudge <- struct{}{}:
		default:
		}
	})
	if err := f.catchUp(ctx, true); err != nil {
		return nil, err
	}
	f.startInfo.To = f.Index().Generation()
	f.log.Info("search index ready", "loaded", f.startInfo.Loaded, "rebuilt", f.startInfo.Rebuilt,
		"replayed", f.startInfo.Replayed, "from", f.startInfo.From, "to", f.startInfo.To, "why", f.startInfo.Why,
		"things", f.Index().Len())
	if f.startInfo.Rebuilt || f.startInfo.Replayed > 0 || !f.startInfo.Loaded {
		f.SaveSoon() // what changed since the file is in the heap until saved
	}
	go f.loop(opts.SaveEvery)
	return f, nil
}

// StartInfo returns how Open brought the index up to date.
func (f *Feeder) StartInfo() StartInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.startInfo
}

// adopt makes ix the index searches read, with the feeder's settings.
func (f *Feeder) adopt(ix *Index) {
	ix.impactCache.budget = f.cacheBytes
	f.ix.Store(ix)
}

// Index returns the index. Hold it for one request: a rebuild replaces it.
func (f *Feeder) Index() *Index { return f.ix.Load() }

// Close stops following the store, catches up a last time and saves the
// index. It returns the save's error.
func (f *Feeder) Close() error {
	close(f.stop)
	<-f.done
	if err := f.catchUp(context.Background(), false); err != nil {
		f.log.Warn("search index: last catch-up", "err", err)
	}
	return f.save(false)
}

// Hold stops the index from following the store's writes, until the
// release it returns is called: for a bulk ingest (the server's start-up
// ingest), so that the index catches up once, at the end, instead of
// after every batch, and an index that was empty is then built in one go
// (catchUp). WaitFor still catches up while the index is held: an
// ingest acknowledged meanwhile is searchable when it says so.
func (f *Feeder) Hold() (release func()) {
	f.held.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			f.held.Add(-1)
			select {
			case f.nudge <- struct{}{}:
			default:
			}
		})
	}
}

// SaveSoon asks for the index to be brought up to date and saved now
// rather than at the next SaveEvery tick: after a bulk write, so that it
// reads its postings from the saved file (mapped) and its heap copy goes.
func (f *Feeder) SaveSoon() {
	select {
	case f.saveNow <- struct{}{}:
	default:
	}
}

func (f *Feeder) loop(every time.Duration) {
	defer close(f.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-f.nudge:
			if f.held.Load() > 0 {
				continue
			}
			if err := f.catchUp(context.Background(), false); err != nil {
				f.log.Error("search index: catch up", "err", err)
			}
		case <-f.want:
			if err := f.catchUp(context.Background(), false); err != nil {
				f.log.Error("search index: catch up", "err", err)
			}
		case <-tick.C:
			if f.held.Load() == 0 {
				f.catchUpAndSave()
			}
		case <-f.saveNow:
			if f.held.Load() == 0 {
				f.catchUpAndSave()
			}
		}
	}
}

func (f *Feeder) catchUpAndSave() {
	if err := f.catchUp(context.Background(), false); err != nil {
		f.log.Error("search index: catch up", "err", err)
	}
	f.mu.Lock()
	stale := f.Index().Generation() != f.savedGen || !f.saved
	f.mu.Unlock()
	if stale {
		if err := f.save(true); err != nil {
			f.log.Error("search index: save", "err", err)
		}
	}
}

// save saves the index unless the file holds its generation already;
// reload then reads the index back from the file (compact, mapped).
func (f *Feeder) save(reload bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	gen := f.Index().Generation()
	if gen == f.savedGen && f.saved {
		return nil
	}
	start := time.Now()
	size, err := f.Index().Save(f.path)
	if err != nil {
		return err
	}
	f.savedGen, f.saved = gen, true
	f.log.Debug("search index saved", "generation", gen, "bytes", size, "took", time.Since(start))
	// An index built up by updates holds its arrays with room to grow
	// (after the start-up ingest of 100,000 catalogue pages, 60 MB of
	// heap against 34 MB loaded): the file just written loads compact,
	// its postings mapped, and answers the same (TestLoadedAnswersAsSaved).
	// No update comes in between: f.mu is held.
	if !reload {
		return nil
	}
	if ix, err := Load(f.path); err != nil {
		f.log.Warn("search index: reading back the index just saved", "err", err)
	} else if ix.Generation() == gen {
		f.adopt(ix)
		// The index replaced is garbage now (60 MB after that ingest),
		// but an idle server allocates nothing to make the collector
		// run: collect it once, so the serving limit, read from the
		// last cycle's live heap, comes down and the memory goes back.
		runtime.GC()
	}
	return nil
}

// WaitFor returns once the index reflects generation gen or later, or
// ctx's error.
func (f *Feeder) WaitFor(ctx context.Context, gen uint64) error {
	for {
		f.advMu.Lock()
		ch := f.advanced
		f.advMu.Unlock()
		if f.Index().Generation() >= gen {
			return nil
		}
		select {
		case f.want <- struct{}{}:
		default:
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("search: waiting for the index to reach generation %d: %w", gen, ctx.Err())
		}
	}
}

func (f *Feeder) signal() {
	f.advMu.Lock()
	close(f.advanced)
	f.advanced = make(chan struct{})
	f.advMu.Unlock()
}

// readBatch is the things read from the store per index update.
const readBatch = 1024

// catchUp brings the index to the store's committed generation, reading
// the journal and the things it names from one snapshot.
func (f *Feeder) catchUp(ctx context.Context, starting bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Up to date (the store's generation is set before a write is
	// announced): nothing to read, and no read transaction for a tick or
	// a save that finds nothing new.
	if gen, err := f.st.Generation(); err == nil && gen == f.Index().Generation() {
		return nil
	}
	// A scan: what it reads is indexed once, and would crowd the records
	// requests read out of the store's cache.
	sn, err := f.st.ScanSnapshot(ctx)
	if err != nil {
		return err
	}
	defer sn.Close()
	gen := sn.Generation()
	from := f.Index().Generation()
	if gen == from {
		return nil
	}
	changes, complete, err := sn.ChangesSince(ctx, from)
	if err != nil {
		return err
	}
	if !complete {
		if !starting {
			f.log.Warn("search index: journal does not reach back; rebuilding", "from", from, "to", gen)
		}
		if f.startInfo.Why == "" {
			f.startInfo.Why = fmt.Sprintf("journal does not reach back to generation %d", from)
		}
		all, err := sn.All(ctx)
		if err != nil {
			return err
		}
		ix := New()
		ix.beginBulk()
		if err := fill(ctx, sn, ix, gen, nil, all.Episodes, all.Guests, all.Topics, all.Shows); err != nil {
			return err
		}
		ix.endBulk()
		f.adopt(ix)
		f.startInfo.Rebuilt = starting || f.startInfo.Rebuilt
		f.signal()
		return nil
	}
	if starting {
		f.startInfo.Replayed = len(changes)
	}
	eps := map[podcast.EpisodeKey]bool{}
	guests, topics, shows := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range changes {
		for _, k := range c.Episodes {
			eps[k] = true
		}
		for _, g := range c.Guests {
			guests[g] = true
		}
		for _, t := range c.Topics {
			topics[t] = true
		}
		for _, s := range c.Shows {
			shows[s] = true
		}
	}
	// The topics an episode had: they may have lost their last episode.
	for k := range eps {
		for _, t := range f.Index().episodeTopics(EpisodeRef(k)) {
			topics[t] = true
		}
	}
	epList, guestList := slices.Collect(maps.Keys(eps)), slices.Collect(maps.Keys(guests))
	topicList, showList := slices.Collect(maps.Keys(topics)), slices.Collect(maps.Keys(shows))
	if from == 0 && f.Index().Len() == 0 {
		// Everything is new (a new store, or one whose index file is
		// gone, read from the start of its journal): built as a rebuild
		// is, its postings laid out once at the end, not grown list by
		// list (the 100,000 default pages: 7 s of the ingest command's
		// index step, 2.9 s of it growing and copying lists), then put
		// in place of the empty index.
		ix := New()
		ix.beginBulk()
		if err := fill(ctx, sn, ix, gen, nil, epList, guestList, topicList, showList); err != nil {
			return err
		}
		ix.endBulk()
		f.adopt(ix)
		f.signal()
		return nil
	}
	return fill(ctx, sn, f.Index(), gen, f.signal, epList, guestList, topicList, showList)
}

// fill reads the things named from sn and (re)indexes them in ix, removing
// those sn does not hold, in batches; the last batch moves ix to gen.
// Episodes' topics are reindexed too.
func fill(ctx context.Context, sn *store.Snapshot, ix *Index, gen uint64, advanced func(),
	episodes []podcast.EpisodeKey, guests, topics, shows []string) error {
	topicSet := map[string]bool{}
	for _, t := range topics {
		topicSet[t] = true
	}
	slices.SortFunc(episodes, func(a, b podcast.EpisodeKey) int {
		return strings.Compare(EpisodeRef(a), EpisodeRef(b))
	})
	for len(episodes) > 0 {
		n := min(readBatch, len(episodes))
		keys := episodes[:n]
		episodes = episodes[n:]
		eps, err := sn.EpisodesByKey(ctx, keys)
		if err != nil {
			return err
		}
		disc, err := sn.DiscoveredTopics(ctx, keys)
		if err != nil {
			return err
		}
		var removes []Ref
		var entries []*Entry
		for i, e := range eps {
			if e == nil {
				removes = append(removes, Ref{KindEpisode, EpisodeRef(keys[i])})
				continue
			}
			ent := episodeEntry(e, disc[i])
			for _, t := range ent.Topics {
				topicSet[t] = true
			}
			entries = append(entries, ent)
		}
		ix.update(gen, removes, entries, false)
	}
	var removes []Ref
	var entries []*Entry
	for chunk := range slices.Chunk(guests, readBatch) {
		gs, err := sn.GuestsBySlug(ctx, chunk)
		if err != nil {
			return err
		}
		for i, g := range gs {
			if g == nil {
				removes = append(removes, Ref{KindGuest, chunk[i]})
				continue
			}
			e := &Entry{Kind: KindGuest, Key: g.Slug, Suggest: g.Name}
			e.Texts[FieldName], e.Texts[FieldRole], e.Texts[FieldOrganization] = g.Name, g.Role, g.Organization
			entries = append(entries, e)
		}
	}
	topicList := slices.Sorted(maps.Keys(topicSet))
	ts, err := sn.TopicsBySlug(ctx, topicList)
	if err != nil {
		return err
	}
	for i, t := range ts {
		if t == nil {
			removes = append(removes, Ref{KindTopic, topicList[i]})
			continue
		}
		e := &Entry{Kind: KindTopic, Key: t.Slug, Suggest: t.Name}
		e.Texts[FieldName], e.Texts[FieldAlias] = t.Name, strings.Join(t.Aliases, "\n")
		entries = append(entries, e)
	}
	ss, err := sn.ShowsBySlug(ctx, shows)
	if err != nil {
		return err
	}
	for i, s := range ss {
		if s == nil {
			removes = append(removes, Ref{KindShow, shows[i]})
			continue
		}
		e := &Entry{Kind: KindShow, Key: s.Slug, Suggest: s.Title}
		e.Texts[FieldTitle] = s.Title
		entries = append(entries, e)
	}
	ix.update(gen, removes, entries, true)
	if advanced != nil {
		advanced()
	}
	return nil
}

func episodeEntry(e *podcast.Episode, disc []store.Mention) *Entry {
	ent := &Entry{Kind: KindEpisode, Key: EpisodeRef(e.Key()), Show: e.Show}
	if e.Title != nil {
		ent.Texts[FieldTitle] = *e.Title
		ent.Suggest = *e.Title
	}
	ent.Texts[FieldSummary] = e.Summary
	if e.Description != nil {
		ent.Texts[FieldDescription] = *e.Description
	}
	if e.ReleaseDate != nil {
		ent.Day, ent.Year = e.ReleaseDate.Days(), e.ReleaseDate.Year
	}
	ent.Topics = slices.Clone(e.Topics)
	for _, m := range disc {
		if !slices.Contains(ent.Topics, m.Slug) {
			ent.Topics = append(ent.Topics, m.Slug)
		}
	}
	for _, a := range e.Appearances {
		if !slices.Contains(ent.Guests, a.Guest) {
			ent.Guests = append(ent.Guests, a.Guest)
		}
	}
	return ent
}

// EpisodeRef is an episode's key in the index: "show/number".
func EpisodeRef(k podcast.EpisodeKey) string { return k.Show + "/" + strconv.Itoa(k.Number) }

// ParseEpisodeRef reads EpisodeRef's form back.
func ParseEpisodeRef(ref string) (podcast.EpisodeKey, bool) {
	i := strings.LastIndexByte(ref, '/')
	if i < 0 {
		return podcast.EpisodeKey{}, false
	}
	n, err := strconv.Atoi(ref[i+1:])
	return podcast.EpisodeKey{Show: ref[:i], Number: n}, err == nil
}

// episodeTopics returns the topics the index holds for an episode.
func (ix *Index) episodeTopics(ref string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	id, ok := ix.liveDoc(KindEpisode, ref)
	if !ok {
		return nil
	}
	var out []string
	for _, t := range ix.topicsOf(&ix.meta[id]) {
		out = append(out, ix.topics.str(t))
	}
	return out
}
