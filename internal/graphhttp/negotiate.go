package graphhttp

import (
	"strconv"
	"strings"
)

// negotiate picks the response media type from an Accept header:
// application/graphql-response+json when the client prefers it (or likes it
// as much as application/json), application/json when the header is
// missing, names application/json or a wildcard. It returns "" when the
// header accepts neither.
func negotiate(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	var bestJSON, bestGR float64 = -1, -1
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
		if q == 0 {
			continue
		}
		switch typ {
		case mediaGraphQLResponse:
			bestGR = max(bestGR, q)
		case mediaJSON, "application/*", "*/*":
			bestJSON = max(bestJSON, q)
		}
	}
	switch {
	case bestGR >= 0 && bestGR >= bestJSON:
		return mediaGraphQLResponse
	case bestJSON >= 0:
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
