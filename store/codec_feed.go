package store

import (
	"time"

	"podcastgraph/internal/podcast"
)

// The feed section: what feeds say beyond what pages say (schema 3). A
// record ends with it when a feed said any of it, and then starts with
// formatFeed; a page's record leaves it out, and is then byte for byte
// what schema 2 wrote (formatBinary). A record cut short before its
// section is therefore corrupt, not a page's.
//
//	show, show fragment:       guid, feed URL, author, description, image, language, categories
//	guest, guest fragment:     image
//	episode, episode fragment: flags, guid, feed number, [published at: varint seconds,
//	                           uvarint nanoseconds], season, episode type, duration, image,
//	                           [audio: url, type, varint length], transcripts (url, type,
//	                           language, rel), chapters, categories, vias (one per appearance,
//	                           nil when every appearance was named by text)

// Episode feed section flags.
const (
	feedPublished = 1 << iota
	feedExplicitSet
	feedExplicit
	feedAudio
)

// more reports whether a feed section follows.
func (r *recordReader) more() bool { return r.err == nil && r.feed }

// feedSection marks the record as ending with a feed section.
func (w *recordWriter) feedSection() { w.b[0] = formatFeed }

func (w *recordWriter) showFeed(f *podcast.ShowFeed) {
	if f.IsZero() {
		return
	}
	w.feedSection()
	w.str(f.GUID)
	w.str(f.FeedURL)
	w.str(f.Author)
	w.str(f.Description)
	w.str(f.Image)
	w.str(f.Language)
	w.strs(nilIfEmpty(f.Categories))
	if f.Locked {
		w.uvarint(1) // last, and only when set: sections written before it was kept read the same
	}
}

func (r *recordReader) showFeed(f *podcast.ShowFeed) {
	if !r.more() {
		return
	}
	f.GUID = r.str()
	f.FeedURL = r.str()
	f.Author = r.str()
	f.Description = r.str()
	f.Image = r.str()
	f.Language = r.str()
	f.Categories = r.strs()
	if r.err == nil && r.pos < len(r.raw) {
		f.Locked = r.uvarint() == 1
	}
}

func (w *recordWriter) guestImage(image string) {
	if image != "" {
		w.feedSection()
		w.str(image)
	}
}

func (r *recordReader) guestImage() string {
	if !r.more() {
		return ""
	}
	return r.str()
}

// hasVia reports whether an appearance was named otherwise than by text.
func hasVia(apps []podcast.Appearance) bool {
	for _, a := range apps {
		if a.Via != podcast.ViaText {
			return true
		}
	}
	return false
}

func (w *recordWriter) episodeFeed(f *podcast.EpisodeFeed, apps []podcast.Appearance) {
	vias := hasVia(apps)
	if f.IsZero() && !vias {
		return
	}
	w.feedSection()
	var flags uint64
	if f.PublishedAt != nil {
		flags |= feedPublished
	}
	if f.Explicit != nil {
		flags |= feedExplicitSet
		if *f.Explicit {
			flags |= feedExplicit
		}
	}
	if f.Audio != nil {
		flags |= feedAudio
	}
	w.uvarint(flags)
	w.str(f.GUID)
	w.int(f.FeedNumber)
	if f.PublishedAt != nil {
		at := f.PublishedAt.UTC()
		w.int(int(at.Unix()))
		w.uvarint(uint64(at.Nanosecond()))
	}
	w.int(f.Season)
	w.str(f.EpisodeType)
	w.int(f.Duration)
	w.str(f.Image)
	if f.Audio != nil {
		w.str(f.Audio.URL)
		w.str(f.Audio.Type)
		w.int(int(f.Audio.Length))
	}
	w.count(len(f.Transcripts), len(f.Transcripts) == 0)
	for _, t := range f.Transcripts {
		w.str(t.URL)
		w.str(t.Type)
		w.str(t.Language)
		w.str(t.Rel)
	}
	w.str(f.Chapters)
	w.strs(nilIfEmpty(f.Categories))
	w.count(len(apps), !vias)
	if vias {
		for _, a := range apps {
			w.str(a.Via)
		}
	}
}

func (r *recordReader) episodeFeed(f *podcast.EpisodeFeed, apps []podcast.Appearance) {
	if !r.more() {
		return
	}
	flags := r.uvarint()
	f.GUID = r.str()
	f.FeedNumber = r.int()
	if flags&feedPublished != 0 {
		sec := r.int64()
		nsec := r.uvarint()
		if nsec >= 1e9 {
			r.fail("time")
		}
		at := time.Unix(sec, int64(nsec)).UTC()
		f.PublishedAt = &at
	}
	if flags&feedExplicitSet != 0 {
		explicit := flags&feedExplicit != 0
		f.Explicit = &explicit
	}
	f.Season = r.int()
	f.EpisodeType = r.str()
	f.Duration = r.int()
	f.Image = r.str()
	if flags&feedAudio != 0 {
		f.Audio = &podcast.Enclosure{URL: r.str(), Type: r.str(), Length: r.int64()}
	}
	if n, isNil := r.count(); !isNil {
		f.Transcripts = make([]podcast.Transcript, n)
		for i := range f.Transcripts {
			t := &f.Transcripts[i]
			t.URL, t.Type, t.Language, t.Rel = r.str(), r.str(), r.str(), r.str()
		}
	}
	f.Chapters = r.str()
	f.Categories = r.strs()
	n, isNil := r.count()
	if isNil {
		return
	}
	if n != len(apps) {
		r.fail("vias")
		return
	}
	for i := range apps {
		apps[i].Via = r.str()
	}
}
