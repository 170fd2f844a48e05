// Command bleve measures bleve v2 on the episodes of a store built by
// search's figures test (PODCAST_SEARCH_DIR), with the same query classes,
// for the choice docs/search.md records. It is a module of its own, so
// that the server does not depend on bleve:
//
//	cd bench/bleve && go run . -db /tmp/h11-100k/bench.db -index /tmp/bleve.idx
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"podcastgraph/store"
)

type episode struct {
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Description string   `json:"description"`
	Show        string   `json:"show"`
	Year        string   `json:"year"`
	Topics      []string `json:"topics"`
	Guests      []string `json:"guests"`
}

var classes = map[string][]string{
	"one-word":   {"kubernetes", "observability", "gitops", "microservices", "serverless"},
	"three-word": {"platform engineering observability", "edge computing careers", "site reliability testing", "machine learning virtualization", "time series databases"},
	"typo":       {"obsrevability", "kuberntes", "microservise", "virtualisation", "serverles"},
	"phrase":     {"site reliability engineering", "platform engineering", "edge computing", "machine learning", "time series databases"},
}

func main() {
	db := flag.String("db", "", "store file")
	dir := flag.String("index", "", "bleve index directory (built when missing)")
	runs := flag.Int("runs", 400, "runs per class")
	flag.Parse()
	ctx := context.Background()
	st, err := store.Open(ctx, *db, store.Options{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	var ix bleve.Index
	if _, err := os.Stat(*dir); err == nil {
		if ix, err = bleve.Open(*dir); err != nil {
			log.Fatal(err)
		}
	} else {
		ix = build(ctx, st, *dir)
	}
	defer ix.Close()
	var size int64
	filepath.WalkDir(*dir, func(_ string, d fs.DirEntry, _ error) error {
		if info, err := d.Info(); err == nil && !d.IsDir() {
			size += info.Size()
		}
		return nil
	})
	n, _ := ix.DocCount()
	fmt.Printf("bleve: %d episodes, index %d MB\n", n, size>>20)
	fmt.Printf("%-11s %9s %9s %9s\n", "query", "p50", "p99", "hits")
	for _, class := range []string{"one-word", "three-word", "typo", "phrase"} {
		var d []time.Duration
		hits := uint64(0)
		for i := range *runs {
			text := classes[class][i%len(classes[class])]
			req := bleve.NewSearchRequestOptions(queryOf(class, text), 20, 0, false)
			req.Highlight = bleve.NewHighlightWithStyle("html")
			req.Fields = []string{"title"}
			for _, f := range []string{"show", "topics", "guests", "year"} {
				req.AddFacet(f, bleve.NewFacetRequest(f, 10))
			}
			start := time.Now()
			res, err := ix.Search(req)
			if err != nil {
				log.Fatal(err)
			}
			d = append(d, time.Since(start))
			hits += res.Total
		}
		slices.Sort(d)
		fmt.Printf("%-11s %9v %9v %9d\n", class, d[len(d)/2].Round(time.Microsecond), d[len(d)*99/100].Round(time.Microsecond), hits/uint64(*runs))
	}
}

// queryOf is every word in one of the fields, title boosted 4, summary
// 1.5; fuzziness 1 for typos; the phrase in one of the fields.
func queryOf(class, text string) query.Query {
	fields := map[string]float64{"title": 4, "summary": 1.5, "description": 1}
	var any []query.Query
	for f, boost := range fields {
		var q query.FieldableQuery
		switch class {
		case "phrase":
			q = bleve.NewMatchPhraseQuery(text)
		default:
			m := bleve.NewMatchQuery(text)
			m.SetOperator(query.MatchQueryOperatorAnd)
			if class == "typo" {
				m.SetFuzziness(1)
			}
			q = m
		}
		q.SetField(f)
		q.(query.BoostableQuery).SetBoost(boost)
		any = append(any, q)
	}
	return bleve.NewDisjunctionQuery(any...)
}

func build(ctx context.Context, st *store.Store, dir string) bleve.Index {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = en.AnalyzerName
	keyword := bleve.NewKeywordFieldMapping()
	dm := bleve.NewDocumentMapping()
	for _, f := range []string{"title", "summary", "description"} {
		dm.AddFieldMappingsAt(f, text)
	}
	for _, f := range []string{"show", "year", "topics", "guests"} {
		dm.AddFieldMappingsAt(f, keyword)
	}
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = en.AnalyzerName
	var _ mapping.IndexMapping = im
	ix, err := bleve.New(dir, im)
	if err != nil {
		log.Fatal(err)
	}
	sn, err := st.Snapshot(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer sn.Close()
	all, err := sn.All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	for chunk := range slices.Chunk(all.Episodes, 1000) {
		eps, err := sn.EpisodesByKey(ctx, chunk)
		if err != nil {
			log.Fatal(err)
		}
		b := ix.NewBatch()
		for _, e := range eps {
			doc := episode{Summary: e.Summary, Show: e.Show, Topics: e.Topics}
			if e.Title != nil {
				doc.Title = *e.Title
			}
			if e.Description != nil {
				doc.Description = *e.Description
			}
			if e.ReleaseDate != nil {
				doc.Year = strconv.Itoa(e.ReleaseDate.Year)
			}
			for _, a := range e.Appearances {
				doc.Guests = append(doc.Guests, a.Guest)
			}
			if err := b.Index(e.Show+"/"+strconv.Itoa(e.Number), doc); err != nil {
				log.Fatal(err)
			}
		}
		if err := ix.Batch(b); err != nil {
			log.Fatal(err)
		}
	}
	took := time.Since(start)
	fmt.Printf("bleve: indexed %d episodes in %v (%.0f/s)\n", len(all.Episodes), took.Round(time.Millisecond), float64(len(all.Episodes))/took.Seconds())
	return ix
}
