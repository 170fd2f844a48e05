package search

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"unsafe"
)

// saved is what Save writes: the index but for what Load derives again
// (the lookup tables from strings to numbers). Every part of it is an
// array of numbers or bytes, written as it lies in memory (writeSaved):
// it loads as a few large reads into arrays the collector does not scan.
type saved struct {
	Version         int
	Gen             uint64
	Docs            []doc
	Text            []byte
	Meta            []meta
	Gens            []uint64
	Facets          []uint32
	Terms           []byte
	TermAt          []uint32
	Lists           []plist
	Post            []byte
	postParts       [][]byte // instead of Post when saving: the lists' bytes in turn
	mapping         *mapping // when Post is a view of the file mapped
	Sorted          []uint32
	Stems           []byte
	StemAt          []uint32
	Forms, NextForm []uint32
	SumLen, NumLen  [numFields]float64
	Names           [3]savedNames // shows, topics, guests
	Sugg            [2][]suggTok
}

// savedNames is an interner as saved.
type savedNames struct {
	Text     []byte
	At       []uint32
	Episodes []int32
}

// fileVersion changes when the layout of a saved index does: an index of
// another version is rebuilt. 4: terms, postings and the docs' strings as
// arrays (strtab.go). 5: the docs' generations apart from their meta. 6:
// a postings entry's length before it, its frequencies before its
// positions (plist). 7: every array aligned (arrayAlign), so that arrays
// of numbers are read as views of the file mapped (viewArray).
const fileVersion = 7

// Save writes the index to path atomically (a temporary file renamed into
// place), with the generation it reflects. It returns the bytes written.
// The index goes on reading what it read before; Load reads the file
// back with its postings mapped (the Feeder does, after each save).
func (ix *Index) Save(path string) (int64, error) {
	ix.mu.RLock()
	// The postings are written as they would lie packed, without the
	// copy.
	lists := slices.Clone(ix.lists)
	parts := make([][]byte, len(lists))
	off := uint32(0)
	for i := range lists {
		p := &lists[i]
		parts[i] = ix.listBytes(p)
		p.Off, p.Cap = off, p.Len
		off += p.Len
	}
	s := saved{Version: fileVersion, Gen: ix.gen, Docs: ix.docs, Text: ix.text, Meta: ix.meta, Gens: ix.gens, Facets: ix.facets,
		Terms: ix.terms.text, TermAt: ix.terms.at, Lists: lists, postParts: parts, Sorted: ix.sorted,
		Stems: ix.stems.text, StemAt: ix.stems.at, Forms: ix.forms, NextForm: ix.nextForm, SumLen: ix.sumLen, NumLen: ix.numLen,
		Sugg: ix.sugg}
	for i, in := range ix.interners() {
		s.Names[i] = savedNames{in.text, in.at, in.episodes}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		ix.mu.RUnlock()
		return 0, fmt.Errorf("search: save: %w", err)
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = writeSaved(w, &s)
	ix.mu.RUnlock()
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	var size int64
	if st, serr := tmp.Stat(); serr == nil {
		size = st.Size()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("search: save %s: %w", path, err)
	}
	return size, nil
}

// Load reads an index Save wrote. A missing file is os.ErrNotExist
// (wrapped); a damaged one or one of another version is an error: the
// caller rebuilds. Where files can be mapped, the postings and the arrays
// of numbers are read from the file mapped rather than copied into the
// heap (viewArray).
func Load(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("search: load: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("search: load: %w", err)
	}
	var s *saved
	if m, merr := mapFile(f, st.Size()); merr == nil && m != nil {
		s, err = readMapped(m)
	} else {
		s, err = readSaved(bufio.NewReaderSize(f, 1<<20), st.Size())
	}
	if err != nil {
		return nil, fmt.Errorf("search: load %s: %w", path, err)
	}
	ix := New()
	if err := ix.restore(s); err != nil {
		return nil, fmt.Errorf("search: load %s: %w", path, err)
	}
	return ix, nil
}

// The file: fileMagic, the version, then what tells a file written on a
// machine of another byte order or by a build of other struct layouts
// (byteOrderProbe as this machine writes it, the sizes of the structs),
// the generation, the arrays (each its length, then its bytes), and the
// CRC-32C of all that.
const (
	fileMagic      = "podcastgraph search index\n"
	byteOrderProbe = 0x01020304
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func header() []byte {
	b := append([]byte(fileMagic), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[len(fileMagic):], fileVersion)
	probe := uint32(byteOrderProbe)
	b = append(b, unsafe.Slice((*byte)(unsafe.Pointer(&probe)), 4)...)
	for _, n := range []uintptr{unsafe.Sizeof(doc{}), unsafe.Sizeof(meta{}), unsafe.Sizeof(plist{}), unsafe.Sizeof(suggTok{})} {
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	return b
}

// bytesOf returns the memory of s (of numbers, or structs of them).
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// arrays writes or reads arrays in turn, keeping the first error.
type arrays struct {
	w    io.Writer
	r    io.Reader
	m    []byte // the file mapped, read instead of r
	at   int64  // bytes of m read
	left int64  // bytes of the file not read yet
	err  error
}

func (a *arrays) write(b []byte) {
	if a.err == nil {
		_, a.err = a.w.Write(b)
		a.at += int64(len(b))
	}
}

func (a *arrays) read(b []byte) {
	switch {
	case a.err != nil:
	case a.m != nil:
		if int64(len(b)) > a.left {
			a.err = io.ErrUnexpectedEOF
			return
		}
		copy(b, a.m[a.at:])
		a.at += int64(len(b))
		a.left -= int64(len(b))
	default:
		_, a.err = io.ReadFull(a.r, b)
		a.at += int64(len(b))
		a.left -= int64(len(b))
	}
}

// arrayAlign is the alignment of every array's first byte in the file,
// from its start: a mapped file starts on a page, so an array of numbers
// mapped in place is aligned for them.
const arrayAlign = 8

// pad writes, or reads past, the zeros that align the next array.
func (a *arrays) pad() {
	var zeros [arrayAlign]byte
	n := (arrayAlign - a.at%arrayAlign) % arrayAlign
	if a.w != nil {
		a.write(zeros[:n])
	} else {
		a.read(zeros[:n])
	}
}

func putArray[T any](a *arrays, s []T) {
	a.write(binary.LittleEndian.AppendUint64(nil, uint64(len(s))))
	a.pad()
	a.write(bytesOf(s))
}

// getArray reads an array putArray wrote into memory of its own.
func getArray[T any](a *arrays) []T {
	count := a.count(uint64(unsafe.Sizeof(*new(T))))
	if a.err != nil {
		return nil
	}
	s := make([]T, count)
	a.read(bytesOf(s))
	return s
}

// viewArray is getArray, but when the file is mapped the array is a view
// of it, not a copy: its pages are the file's, in the operating system's
// cache, and a write to one (a doc marked gone, a list moved) copies that
// page alone into the process (mapFile maps the file private). Arrays of
// numbers, and the postings, only: nothing keeps a pointer into them past
// the Index that holds the mapping, whereas a string is a view of a text
// array and may outlive the Index that gave it (the text arrays are
// copied).
func viewArray[T any](a *arrays) []T {
	if a.m == nil {
		return getArray[T](a)
	}
	size := uint64(unsafe.Sizeof(*new(T)))
	count := a.count(size)
	if a.err != nil || count == 0 {
		return nil
	}
	s := unsafe.Slice((*T)(unsafe.Pointer(&a.m[a.at])), count)
	a.at += int64(count * size)
	a.left -= int64(count * size)
	return s[:count:count]
}

// count reads an array's length and the padding after it, and checks
// that count items of size bytes fit in what is left of the file.
func (a *arrays) count(size uint64) uint64 {
	var n [8]byte
	a.read(n[:])
	a.pad()
	if a.err != nil {
		return 0
	}
	count := binary.LittleEndian.Uint64(n[:])
	if count > uint64(max(a.left, 0))/size {
		a.err = fmt.Errorf("an array of %d items longer than the file", count)
		return 0
	}
	return count
}

func writeSaved(w io.Writer, s *saved) error {
	crc := crc32.New(crcTable)
	a := &arrays{w: io.MultiWriter(w, crc)}
	a.write(header())
	a.write(binary.LittleEndian.AppendUint64(nil, s.Gen))
	putArray(a, s.Docs)
	putArray(a, s.Text)
	putArray(a, s.Meta)
	putArray(a, s.Gens)
	putArray(a, s.Facets)
	putArray(a, s.Terms)
	putArray(a, s.TermAt)
	putArray(a, s.Lists)
	if s.postParts == nil {
		putArray(a, s.Post)
	} else {
		n := 0
		for _, p := range s.postParts {
			n += len(p)
		}
		a.write(binary.LittleEndian.AppendUint64(nil, uint64(n)))
		a.pad()
		for _, p := range s.postParts {
			a.write(p)
		}
	}
	putArray(a, s.Sorted)
	putArray(a, s.Stems)
	putArray(a, s.StemAt)
	putArray(a, s.Forms)
	putArray(a, s.NextForm)
	putArray(a, s.SumLen[:])
	putArray(a, s.NumLen[:])
	for _, n := range s.Names {
		putArray(a, n.Text)
		putArray(a, n.At)
		putArray(a, n.Episodes)
	}
	putArray(a, s.Sugg[0])
	putArray(a, s.Sugg[1])
	if a.err != nil {
		return a.err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

func readSaved(r io.Reader, size int64) (*saved, error) {
	crc := crc32.New(crcTable)
	s, err := decodeSaved(&arrays{r: io.TeeReader(r, crc), left: size})
	if err != nil {
		return nil, err
	}
	sum := crc.Sum32()
	var trailer [4]byte
	if _, err := io.ReadFull(r, trailer[:]); err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(trailer[:]) != sum {
		return nil, errors.New("checksum mismatch: damaged")
	}
	return s, nil
}

// readMapped is readSaved on the file mapped: the postings stay a view
// of it.
func readMapped(m *mapping) (*saved, error) {
	b := m.b
	if len(b) < 4 {
		return nil, errors.New("not a search index of this version")
	}
	body := b[:len(b)-4]
	s, err := decodeSaved(&arrays{m: body, left: int64(len(body))})
	if err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(b[len(body):]) != crc32.Checksum(body, crcTable) {
		return nil, errors.New("checksum mismatch: damaged")
	}
	s.mapping = m
	return s, nil
}

// decodeSaved reads the arrays of a saved index, the trailer aside.
func decodeSaved(a *arrays) (*saved, error) {
	want := header()
	got := make([]byte, len(want))
	if a.read(got); a.err != nil || !bytes.Equal(got, want) {
		if a.err == nil && bytes.HasPrefix(got, []byte(fileMagic)) {
			return nil, fmt.Errorf("index version %d or from a machine of another layout, want %d", binary.LittleEndian.Uint32(got[len(fileMagic):]), fileVersion)
		}
		return nil, errors.New("not a search index of this version")
	}
	var gen [8]byte
	a.read(gen[:])
	s := &saved{Version: fileVersion, Gen: binary.LittleEndian.Uint64(gen[:])}
	s.Docs = viewArray[doc](a)
	s.Text = getArray[byte](a)
	s.Meta = viewArray[meta](a)
	live := unsafe.Offsetof(meta{}.Live)
	for i := range s.Meta {
		// A bool must be 0 or 1 before Go reads it.
		if bytesOf(s.Meta[i : i+1])[live] > 1 {
			return nil, fmt.Errorf("doc %d: damaged", i)
		}
	}
	s.Gens = viewArray[uint64](a)
	s.Facets = viewArray[uint32](a)
	s.Terms = getArray[byte](a)
	s.TermAt = viewArray[uint32](a)
	s.Lists = viewArray[plist](a)
	s.Post = viewArray[byte](a)
	s.Sorted = viewArray[uint32](a)
	s.Stems = getArray[byte](a)
	s.StemAt = viewArray[uint32](a)
	s.Forms = viewArray[uint32](a)
	s.NextForm = viewArray[uint32](a)
	copy(s.SumLen[:], getArray[float64](a))
	copy(s.NumLen[:], getArray[float64](a))
	for i := range s.Names {
		s.Names[i] = savedNames{getArray[byte](a), viewArray[uint32](a), viewArray[int32](a)}
	}
	s.Sugg[0] = viewArray[suggTok](a)
	s.Sugg[1] = viewArray[suggTok](a)
	if a.err != nil {
		return nil, a.err
	}
	return s, nil
}

// restore makes ix the index s holds, after checking that its parts fit
// together (a damaged file decodes into parts that do not).
func (ix *Index) restore(s *saved) error {
	var ok bool
	if ix.terms, ok = strtabOf(s.Terms, s.TermAt); !ok {
		return errors.New("terms do not fit their text")
	}
	if ix.stems, ok = strtabOf(s.Stems, s.StemAt); !ok {
		return errors.New("stems do not fit their text")
	}
	for i, in := range ix.interners() {
		n := s.Names[i]
		if in.strtab, ok = strtabOf(n.Text, n.At); !ok || len(n.Episodes) != in.len() {
			return errors.New("names do not fit their text")
		}
		in.episodes = n.Episodes
	}
	nt := ix.terms.len()
	switch {
	case len(s.Meta) != len(s.Docs) || len(s.Gens) != len(s.Docs):
		return fmt.Errorf("%d docs, %d metas, %d generations", len(s.Docs), len(s.Meta), len(s.Gens))
	case len(s.Lists) != nt || len(s.Sorted) != nt || len(s.NextForm) != nt || len(s.Forms) != ix.stems.len():
		return fmt.Errorf("%d terms, %d postings, %d sorted, %d forms; %d stems, %d firsts", nt, len(s.Lists), len(s.Sorted), len(s.NextForm), ix.stems.len(), len(s.Forms))
	}
	for _, p := range s.Lists {
		if uint64(p.Off)+uint64(p.Len) > uint64(len(s.Post)) || p.Cap != p.Len {
			return errors.New("postings outside their array")
		}
	}
	for i, d := range s.Docs {
		for _, sp := range [...]span{d.Key, d.Sugg, d.Fold} {
			if uint64(sp.Off)+uint64(sp.Len) > uint64(len(s.Text)) {
				return fmt.Errorf("doc %d outside the text", i)
			}
		}
		m := s.Meta[i]
		if uint64(m.Facets)+uint64(m.NTopics)+uint64(m.NGuests) > uint64(len(s.Facets)) || m.Show < -1 || int(m.Show) >= ix.shows.len() {
			return fmt.Errorf("doc %d outside the facets", i)
		}
		for j, id := range s.Facets[m.Facets : m.Facets+uint32(m.NTopics)+uint32(m.NGuests)] {
			if (j < int(m.NTopics) && int(id) >= ix.topics.len()) || (j >= int(m.NTopics) && int(id) >= ix.guests.len()) {
				return fmt.Errorf("doc %d names a topic or guest out of range", i)
			}
		}
	}
	for _, list := range s.Sugg {
		for _, t := range list {
			if int(t.Doc) >= len(s.Docs) || uint64(t.Off)+uint64(t.Len) > uint64(s.Docs[t.Doc].Fold.Len) {
				return errors.New("a suggestion outside its doc")
			}
		}
	}
	for _, ids := range [][]uint32{s.Sorted, s.NextForm, s.Forms} {
		for _, id := range ids {
			if id != noTerm && int(id) >= nt {
				return errors.New("a term number out of range")
			}
		}
	}
	ix.gen, ix.docs, ix.text, ix.meta, ix.gens, ix.facets = s.Gen, s.Docs, s.Text, s.Meta, s.Gens, s.Facets
	for _, g := range ix.gens {
		ix.maxGen = max(ix.maxGen, g)
	}
	ix.lists, ix.sorted, ix.forms, ix.nextForm = s.Lists, s.Sorted, s.Forms, s.NextForm
	if s.mapping != nil {
		ix.mapped, ix.region = s.Post, s.mapping
	} else {
		ix.post = s.Post
	}
	ix.sumLen, ix.numLen, ix.sugg = s.SumLen, s.NumLen, s.Sugg
	ix.live = newIDTable(len(ix.docs))
	for id := range ix.docs {
		if ix.meta[id].Live {
			ix.setLive(uint32(id))
		} else {
			ix.dead++
		}
	}
	ix.setAverages()
	ix.setTopicDocs()
	return nil
}
