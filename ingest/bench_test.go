package ingest_test

import (
	"os"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
)

// BenchmarkParse parses the seed pages and generated pages in turn and
// reports pages per second (per core: the benchmark is sequential).
func BenchmarkParse(b *testing.B) {
	type page struct {
		name string
		data []byte
	}
	var pages []page
	for _, name := range []string{"000_3500f07eabefc183.txt", "001_2069fb2803647d3f.txt"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, page{name, data})
	}
	for i := range 98 {
		name, data := pagegen.Page(i*37, pagegen.Options{Shows: 5, Seed: 1})
		pages = append(pages, page{name, data})
	}
	var size int64
	for _, p := range pages {
		size += int64(len(p.data))
	}
	vocab := ingest.DefaultVocabulary()
	b.SetBytes(size / int64(len(pages)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		p := pages[n%len(pages)]
		if _, err := ingest.Parse(p.name, p.data, vocab); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkParseCatalogue parses pages shaped like a daily show's
// catalogue (8 KB, ten listing entries each) in order, as a bulk ingest
// reads them: without a memo, and with one, where each listing entry is
// read once and found again on the nine pages after.
func BenchmarkParseCatalogue(b *testing.B) {
	const n = 500
	names, pages := make([]string, n), make([][]byte, n)
	for i := range n {
		names[i], pages[i] = pagegen.Page(20_000+i, pagegen.Options{Shows: 1, Seed: 1, Catalogue: true})
	}
	vocab := ingest.DefaultVocabulary()
	for _, memo := range []bool{false, true} {
		b.Run(map[bool]string{false: "plain", true: "memo"}[memo], func(b *testing.B) {
			m := ingest.NewMemo(0)
			if !memo {
				m = nil
			}
			i := 0
			for b.Loop() {
				if _, err := ingest.ParseMemo(names[i%n], pages[i%n], vocab, m); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}
