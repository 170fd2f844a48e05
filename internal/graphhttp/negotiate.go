package graphhttp

import (
	"strconv"
	"strings"
)

// negotiate picks the response media type from an Accept header, as RFC
// 9110 (12.5.1) has it: each of application/json and
// application/graphql-response+json takes the quality of the most
// specific range that matches it (the type itself, then application/*,
// then */*), q=0 refusing it, and the higher quality wins. On a tie
// application/graphql-response+json wins when the header names it, and
// application/json otherwise (a bare */*, as curl sends, or no header at
// all: the legacy answer the GraphQL-over-HTTP spec keeps for them). It
// returns "" when the header accepts neither.
func negotiate(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	// Qualities by specificity: 2 the type itself, 1 application/*, 0 */*.
	var qJSON, qGR [3]float64
	for i := range qJSON {
		qJSON[i], qGR[i] = -1, -1
	}
	for accept != "" {
		var part string
		part, accept, _ = strings.Cut(accept, ",")
		typ, params, _ := strings.Cut(part, ";")
		typ = strings.ToLower(strings.TrimSpace(typ))
		q := 1.0
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
		switch typ {
		case mediaGraphQLResponse:
			qGR[2] = max(qGR[2], q)
		case mediaJSON:
			qJSON[2] = max(qJSON[2], q)
		case "application/*":
			qJSON[1], qGR[1] = max(qJSON[1], q), max(qGR[1], q)
		case "*/*":
			qJSON[0], qGR[0] = max(qJSON[0], q), max(qGR[0], q)
		}
	}
	specific := func(q [3]float64) float64 {
		for i := 2; i >= 0; i-- {
			if q[i] >= 0 {
				return q[i]
			}
		}
		return -1
	}
	j, g := specific(qJSON), specific(qGR)
	switch {
	case g > 0 && (g > j || g == j && qGR[2] > 0):
		return mediaGraphQLResponse
	case j > 0:
		return mediaJSON
	}
	return ""
}

// jsonRequest reports whether a Content-Type names application/json in
// UTF-8 (a missing charset means UTF-8).
func jsonRequest(contentType string) bool {
	typ, params, _ := strings.Cut(contentType, ";")
	if !strings.EqualFold(strings.TrimSpace(typ), mediaJSON) {
		return false
	}
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "charset") {
			v = strings.Trim(strings.TrimSpace(v), `"`)
			if !strings.EqualFold(v, "utf-8") && !strings.EqualFold(v, "utf8") {
				return false
			}
		}
	}
	return true
}

// contentTypeOf returns the Content-Type header value of a media type.
func contentTypeOf(media string) string {
	if media == mediaGraphQLResponse {
		return contentTypeGraphQLResp
	}
	return contentTypeJSON
}
