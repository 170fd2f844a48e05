package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"podcastgraph/internal/podcast"
)

// The encoders and decoders of each record (the format is in codec.go).
// A decoder returns an error, never panics, on a value it cannot read,
// and reads the JSON of schema version 1 as well.

// Episode flags.
const (
	epTitle       = 1 << iota // Title is set
	epDescription             // Description is set
	epReleaseDate             // ReleaseDate is set
	epTruncated               // SummaryTruncated
)

// encodeEpisode: flags, show, number, code, [description], [title],
// [release date], summary, hosts, links, appearances, topics. The
// description goes first: the summary and the evidence are usually
// sentences of it.
func encodeEpisode(e *podcast.Episode) []byte {
	size := 64 + len(e.Show) + len(e.Code) + len(e.Summary)
	if e.Description != nil {
		size += len(*e.Description)
	}
	w := newRecordWriter(size)
	var flags uint64
	if e.Title != nil {
		flags |= epTitle
	}
	if e.Description != nil {
		flags |= epDescription
	}
	if e.ReleaseDate != nil {
		flags |= epReleaseDate
	}
	if e.SummaryTruncated {
		flags |= epTruncated
	}
	w.uvarint(flags)
	w.str(e.Show)
	w.int(e.Number)
	w.str(e.Code)
	if e.Description != nil {
		w.str(*e.Description)
	}
	if e.Title != nil {
		w.str(*e.Title)
	}
	if e.ReleaseDate != nil {
		w.date(*e.ReleaseDate)
	}
	w.str(e.Summary)
	w.hosts(e.Hosts)
	w.links(e.Links)
	w.appearances(e.Appearances)
	w.strs(e.Topics)
	w.episodeFeed(&e.EpisodeFeed, e.Appearances)
	return w.b
}

// episodeRecord is a decoded episode and what its pointers point at, in
// one allocation.
type episodeRecord struct {
	e                  podcast.Episode
	title, description string
	date               podcast.Date
}

func decodeEpisode(raw []byte) (*podcast.Episode, error) {
	if isJSON(raw) {
		e := new(podcast.Episode)
		return e, json.Unmarshal(raw, e)
	}
	var r recordReader
	if err := r.start(raw); err != nil {
		return nil, err
	}
	rec := new(episodeRecord)
	e := &rec.e
	flags := r.uvarint()
	e.Show = r.str()
	e.Number = r.int()
	e.Code = r.str()
	if flags&epDescription != 0 {
		rec.description = r.str()
		e.Description = &rec.description
	}
	if flags&epTitle != 0 {
		rec.title = r.str()
		e.Title = &rec.title
	}
	if flags&epReleaseDate != 0 {
		rec.date = r.date()
		e.ReleaseDate = &rec.date
	}
	e.SummaryTruncated = flags&epTruncated != 0
	e.Summary = r.str()
	e.Hosts = r.hosts()
	e.Links = r.links()
	e.Appearances = r.appearances()
	e.Topics = r.strs()
	r.episodeFeed(&e.EpisodeFeed, e.Appearances)
	if err := r.done(); err != nil {
		return nil, err
	}
	return e, nil
}

// encodeGuest: slug, name, role, organization, bio, links.
func encodeGuest(g *podcast.Guest) []byte {
	w := newRecordWriter(32 + len(g.Slug) + len(g.Name) + len(g.Role) + len(g.Organization) + len(g.Bio))
	w.str(g.Slug)
	w.str(g.Name)
	w.str(g.Role)
	w.str(g.Organization)
	w.str(g.Bio)
	w.links(g.Links)
	w.guestImage(g.Image)
	return w.b
}

func decodeGuest(raw []byte) (*podcast.Guest, error) {
	g := new(podcast.Guest)
	if isJSON(raw) {
		return g, json.Unmarshal(raw, g)
	}
	var r recordReader
	if err := r.start(raw); err != nil {
		return nil, err
	}
	g.Slug = r.str()
	g.Name = r.str()
	g.Role = r.str()
	g.Organization = r.str()
	g.Bio = r.str()
	g.Links = r.links()
	g.Image = r.guestImage()
	return g, r.done()
}

// encodeShow: slug, title, code, hosts, links.
func encodeShow(s *podcast.Show) []byte {
	w := newRecordWriter(64)
	w.str(s.Slug)
	w.str(s.Title)
	w.str(s.Code)
	w.hosts(s.Hosts)
	w.links(s.Links)
	w.showFeed(&s.ShowFeed)
	return w.b
}

func decodeShow(raw []byte) (*podcast.Show, error) {
	s := new(podcast.Show)
	if isJSON(raw) {
		return s, json.Unmarshal(raw, s)
	}
	var r recordReader
	if err := r.start(raw); err != nil {
		return nil, err
	}
	s.Slug = r.str()
	s.Title = r.str()
	s.Code = r.str()
	s.Hosts = r.hosts()
	s.Links = r.links()
	r.showFeed(&s.ShowFeed)
	return s, r.done()
}

// encodeTopic: slug, name, aliases.
func encodeTopic(t *podcast.Topic) []byte {
	w := newRecordWriter(32)
	w.str(t.Slug)
	w.str(t.Name)
	w.strs(nilIfEmpty(t.Aliases)) // omitempty in JSON
	return w.b
}

func decodeTopic(raw []byte) (*podcast.Topic, error) {
	t := new(podcast.Topic)
	if isJSON(raw) {
		return t, json.Unmarshal(raw, t)
	}
	var r recordReader
	if err := r.start(raw); err != nil {
		return nil, err
	}
	t.Slug = r.str()
	t.Name = r.str()
	t.Aliases = r.strs()
	return t, r.done()
}

// Fragment flags.
const (
	fragReleaseDate = 1 << iota
	fragTruncated
)

// encodeEpisodeFrag: flags, code, description, title, [release date],
// summary, topics, appearances, hosts, links. Empty lists are written
// as nil, as JSON's omitempty left them.
func encodeEpisodeFrag(f *episodeFrag) []byte {
	w := newRecordWriter(64 + len(f.Description) + len(f.Summary))
	var flags uint64
	if f.ReleaseDate != nil {
		flags |= fragReleaseDate
	}
	if f.Truncated {
		flags |= fragTruncated
	}
	w.uvarint(flags)
	w.str(f.Code)
	w.str(f.Description)
	w.str(f.Title)
	if f.ReleaseDate != nil {
		w.date(*f.ReleaseDate)
	}
	w.str(f.Summary)
	w.strs(nilIfEmpty(f.Topics))
	w.appearances(nilIfEmpty(f.Appearances))
	w.strs(nilIfEmpty(f.Hosts))
	w.links(nilIfEmpty(f.Links))
	w.episodeFeed(&f.EpisodeFeed, f.Appearances)
	return w.b
}

func decodeEpisodeFrag(raw []byte, f *episodeFrag) error {
	if isJSON(raw) {
		return json.Unmarshal(raw, f)
	}
	var r recordReader
	if err := r.start(raw); err != nil {
		return err
	}
	flags := r.uvarint()
	f.Code = r.str()
	f.Description = r.str()
	f.Title = r.str()
	if flags&fragReleaseDate != 0 {
		d := r.date()
		f.ReleaseDate = &d
	}
	f.Truncated = flags&fragTruncated != 0
	f.Summary = r.str()
	f.Topics = r.strs()
	f.Appearances = r.appearances()
	f.Hosts = r.strs()
	f.Links = r.links()
	r.episodeFeed(&f.EpisodeFeed, f.Appearances)
	return r.done()
}

// encodeGuestFrag: name, role, organization, bio, links.
func encodeGuestFrag(f *guestFrag) []byte {
	w := newRecordWriter(32 + len(f.Name) + len(f.Role) + len(f.Organization) + len(f.Bio))
	w.str(f.Name)
	w.str(f.Role)
	w.str(f.Organization)
	w.str(f.Bio)
	w.links(nilIfEmpty(f.Links))
	w.guestImage(f.Image)
	return w.b
}

func decodeGuestFrag(raw []byte, f *guestFrag) error {
	if isJSON(raw) {
		return json.Unmarshal(raw, f)
	}
	var r recordReader
	if err := r.start(raw); err != nil {
		return err
	}
	f.Name = r.str()
	f.Role = r.str()
	f.Organization = r.str()
	f.Bio = r.str()
	f.Links = r.links()
	f.Image = r.guestImage()
	return r.done()
}

// encodeShowFrag: title, code, hosts, links.
func encodeShowFrag(f *showFrag) []byte {
	w := newRecordWriter(64)
	w.str(f.Title)
	w.str(f.Code)
	w.strs(nilIfEmpty(f.Hosts))
	w.links(nilIfEmpty(f.Links))
	w.showFeed(&f.ShowFeed)
	return w.b
}

func decodeShowFrag(raw []byte, f *showFrag) error {
	if isJSON(raw) {
		return json.Unmarshal(raw, f)
	}
	var r recordReader
	if err := r.start(raw); err != nil {
		return err
	}
	f.Title = r.str()
	f.Code = r.str()
	f.Hosts = r.strs()
	f.Links = r.links()
	r.showFeed(&f.ShowFeed)
	return r.done()
}

// encodeFragment encodes what a page says of an entity.
func encodeFragment(v any) ([]byte, error) {
	switch f := v.(type) {
	case episodeFrag:
		return encodeEpisodeFrag(&f), nil
	case *episodeFrag:
		return encodeEpisodeFrag(f), nil
	case guestFrag:
		return encodeGuestFrag(&f), nil
	case *guestFrag:
		return encodeGuestFrag(f), nil
	case showFrag:
		return encodeShowFrag(&f), nil
	case *showFrag:
		return encodeShowFrag(f), nil
	}
	return nil, fmt.Errorf("encode fragment: unknown type %T", v)
}

// Document record flags.
const (
	docHexSHA = 1 << iota // the SHA-256 is lowercase hex, written as its bytes
)

// encodeDocRecord: flags, name, SHA-256 (its bytes, or a string),
// fingerprint, ingested at (varint seconds, uvarint nanoseconds since
// 1970 UTC), warnings, then the fragment keys sorted, each as uvarint
// bytes shared with the key before, uvarint length of the rest, the rest.
// Sorted keys share most of their bytes: the show's slug, the episode
// numbers' high bytes.
func encodeDocRecord(rec *docRecord) []byte {
	w := newRecordWriter(128 + 16*len(rec.Fragments))
	var flags uint64
	sha, err := hex.DecodeString(rec.SHA256)
	if err == nil && len(sha) > 0 && hexLower(rec.SHA256) {
		flags |= docHexSHA
	}
	w.uvarint(flags)
	w.str(rec.Name)
	if flags&docHexSHA != 0 {
		w.uvarint(uint64(len(sha)))
		w.b = append(w.b, sha...)
	} else {
		w.str(rec.SHA256)
	}
	w.str(rec.Fingerprint)
	at := rec.IngestedAt.UTC()
	w.b = binary.AppendVarint(w.b, at.Unix())
	w.uvarint(uint64(at.Nanosecond()))
	w.strs(rec.Warnings)
	keys := slices.SortedFunc(slices.Values(rec.Fragments), bytes.Compare)
	w.count(len(keys), len(keys) == 0) // JSON made an empty list nil
	var prev []byte
	for _, k := range keys {
		shared := 0
		for shared < len(prev) && shared < len(k) && prev[shared] == k[shared] {
			shared++
		}
		w.uvarint(uint64(shared))
		w.uvarint(uint64(len(k) - shared))
		w.b = append(w.b, k[shared:]...)
		prev = k
	}
	return w.b
}

// decodeDocRecord decodes a document record; its fragment keys come
// sorted, and share one allocation.
func decodeDocRecord(raw []byte, rec *docRecord) error {
	if isJSON(raw) {
		return json.Unmarshal(raw, rec)
	}
	var r recordReader
	if err := r.start(raw); err != nil {
		return err
	}
	flags := r.uvarint()
	rec.Name = r.str()
	if flags&docHexSHA != 0 {
		n := r.uvarint()
		if n > uint64(len(raw)-r.pos) {
			r.fail("sha256")
			return r.err
		}
		rec.SHA256 = hex.EncodeToString(raw[r.pos : r.pos+int(n)])
		r.pos += int(n)
	} else {
		rec.SHA256 = r.str()
	}
	rec.Fingerprint = r.str()
	sec := r.int64()
	nsec := r.uvarint()
	if nsec >= 1e9 {
		r.fail("time")
	}
	rec.IngestedAt = time.Unix(sec, int64(nsec)).UTC()
	rec.Warnings = r.strs()
	count, isNil := r.count()
	if r.err != nil {
		return r.err
	}
	rec.Fragments = nil
	if isNil {
		return r.done()
	}
	// Two passes: the first finds the keys' total length, so that one
	// buffer holds them all.
	start, total, prevLen := r.pos, 0, 0
	for range count {
		shared, rest := r.uvarint(), r.uvarint()
		if shared > uint64(prevLen) || rest > uint64(len(raw)-r.pos) {
			r.fail("fragment key")
			return r.err
		}
		r.pos += int(rest)
		prevLen = int(shared + rest)
		total += prevLen
	}
	if err := r.done(); err != nil {
		return err
	}
	buf := make([]byte, 0, total)
	rec.Fragments = make(fragmentKeys, count)
	r.pos = start
	var prev []byte
	for i := range count {
		shared, rest := int(r.uvarint()), int(r.uvarint())
		at := len(buf)
		buf = append(buf, prev[:shared]...)
		buf = append(buf, raw[r.pos:r.pos+rest]...)
		r.pos += rest
		rec.Fragments[i] = buf[at:len(buf):len(buf)]
		prev = rec.Fragments[i]
	}
	return nil
}

// encodeRecord encodes a show, guest, episode or topic for its bucket.
func encodeRecord(v any) ([]byte, error) {
	switch r := v.(type) {
	case *podcast.Episode:
		return encodeEpisode(r), nil
	case *podcast.Guest:
		return encodeGuest(r), nil
	case *podcast.Show:
		return encodeShow(r), nil
	case *podcast.Topic:
		return encodeTopic(r), nil
	case podcast.Topic:
		return encodeTopic(&r), nil
	}
	return nil, fmt.Errorf("encode record: unknown type %T", v)
}

// decodeRecord decodes the value of a records bucket into a new T: a
// show, guest, episode, topic or document record.
func decodeRecord[T any](raw []byte) (*T, error) {
	var v any
	var err error
	switch any((*T)(nil)).(type) {
	case *podcast.Episode:
		v, err = decodeEpisode(raw)
	case *podcast.Guest:
		v, err = decodeGuest(raw)
	case *podcast.Show:
		v, err = decodeShow(raw)
	case *podcast.Topic:
		v, err = decodeTopic(raw)
	case *docRecord:
		rec := new(docRecord)
		v, err = rec, decodeDocRecord(raw, rec)
	default:
		return nil, fmt.Errorf("decode record: unknown type %T", (*T)(nil))
	}
	if err != nil {
		return nil, err
	}
	return v.(*T), nil
}
