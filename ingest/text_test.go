package ingest_test

import (
	"testing"

	"podcastgraph/ingest"
)

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Avery Pennarun":        "avery-pennarun",
		"DevOps Paradox":        "devops-paradox",
		"Peer-to-Peer":          "peer-to-peer",
		"CI/CD":                 "ci-cd",
		"Time series databases": "time-series-databases",
		"Zoë Ångström":          "zoe-angstrom",
		"José Álvarez":          "jose-alvarez",
		"Łukasz Żółć":           "lukasz-zolc",
		"Straße":                "strasse",
		"Samuel O'Brien":        "samuel-obrien",
		"Samuel O’Brien":        "samuel-obrien",
		"  --Hello,  World!-- ": "hello-world",
		"Иван Петров":           "ivan-petrov",
		"Νίκος Παππάς":          "nikos-pappas",
		"Աննա Լի":               "",
		"李伟":                    "",
		"":                      "",
	}
	for in, want := range tests {
		if got := ingest.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
