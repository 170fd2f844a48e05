package ingest_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
)

// TestParseMemoIsParse parses pages through one memo, in an order where
// most listing entries were seen before (and some were evicted), and
// checks that every Document equals the one Parse returns without it.
func TestParseMemoIsParse(t *testing.T) {
	type page struct {
		name string
		data []byte
	}
	var pages []page
	for i := range 150 {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 4, Catalogue: true})
		pages = append(pages, page{name, data})
	}
	for i := range 150 {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 3, Seed: 5})
		pages = append(pages, page{name, data})
	}
	for _, path := range testPages(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page{path, data})
	}
	// The same listing on pages with other hosts: Di Moreno is a guest
	// unless Di is a host.
	listing := "#4: Jane Doe, CEO at Acme, joins Ann and Bob to talk about Kubernetes. Later, Di Moreno, CTO at Acme, joins Ann and Bob...\ninfo_outlineA Show\n"
	for _, hosts := range []string{"Ann and Bob", "Cy and Di", "Ann and Bob"} {
		data := "AS 5: Five\nRelease Date: 01/02/2025\nA Show\n" + listing +
			"info_outline#5: In this episode, " + hosts + " talk about DNS.\n"
		pages = append(pages, page{fmt.Sprintf("hosts-%d.txt", len(pages)), []byte(data)})
		data = "AS 6: Six\nRelease Date: 01/09/2025\nA Show\n" + strings.Replace(listing, "#4", "#3", 1) +
			"info_outline#6: In this episode, " + hosts + " talk about DNS.\n"
		pages = append(pages, page{fmt.Sprintf("hosts-%d.txt", len(pages)), []byte(data)})
	}

	vocab := ingest.DefaultVocabulary()
	for _, size := range []int{0, 7} { // the default, and one that evicts
		memo := ingest.NewMemo(size)
		order := rand.New(rand.NewPCG(1, uint64(size))).Perm(len(pages))
		// Mostly in order (as a bulk ingest reads a show), some shuffled.
		for i := range order[:len(order)/2] {
			order[i] = i
		}
		for _, i := range append(order, order...) {
			p := pages[i]
			want, werr := ingest.Parse(p.name, p.data, vocab)
			got, gerr := ingest.ParseMemo(p.name, p.data, vocab, memo)
			if fmt.Sprint(werr) != fmt.Sprint(gerr) {
				t.Fatalf("size %d, %s: error %v, want %v", size, p.name, gerr, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("size %d, %s: with the memo\n%+v\nwithout\n%+v", size, p.name, got, want)
			}
		}
	}
}

// TestParseMemoDropWarning checks the case the memo replays: a listing
// entry naming a guest whose name gives no slug warns on every page.
func TestParseMemoDropWarning(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	memo := ingest.NewMemo(0)
	page := "AS 5: Five\nRelease Date: 01/02/2025\nA Show\n" +
		"#4: In this episode, Ann and Bob speak with Աննա Լի, CEO at Acme, about DNS...\ninfo_outlineA Show\n" +
		"info_outline#5: In this episode, Ann and Bob talk about DNS.\n"
	first, err := ingest.ParseMemo("a.txt", []byte(page), vocab, memo)
	if err != nil {
		t.Fatal(err)
	}
	second, err := ingest.ParseMemo("b.txt", []byte(page), vocab, memo)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Warnings) == 0 || !reflect.DeepEqual(first.Warnings, second.Warnings) {
		t.Errorf("warnings %q, then %q", first.Warnings, second.Warnings)
	}
}

// TestParseMemoConcurrent parses the pages of a show on several
// goroutines through one memo, as the pipeline does (run it with -race).
func TestParseMemoConcurrent(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	memo := ingest.NewMemo(64)
	const pages, workers = 200, 4
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := w; i < pages; i += workers {
				name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 6, Catalogue: true})
				want, err := ingest.Parse(name, data, vocab)
				if err != nil {
					errs <- err
					return
				}
				got, err := ingest.ParseMemo(name, data, vocab, memo)
				if err != nil || !reflect.DeepEqual(got, want) {
					errs <- fmt.Errorf("%s: with the memo (%v)\n%+v\nwithout\n%+v", name, err, got, want)
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
