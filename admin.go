package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
)

// maxAdminBody bounds one /admin/ingest request.
const maxAdminBody = 256 << 20

// ingestRequest is the body of POST /admin/ingest: pages as base64 bytes
// (JSON strings cannot carry the non-UTF-8 pages the parser must reject).
type ingestRequest struct {
	Documents []struct {
		Name string `json:"name"`
		Data []byte `json:"data"`
	} `json:"documents"`
}

// ingestResponse is its answer: one result per document, in order.
type ingestResponse struct {
	Results []docResult `json:"results"`
}

// mountAdmin serves /admin/* when an admin token is configured; without
// one the paths do not exist.
func (a *app) mountAdmin(mux *http.ServeMux) {
	if a.cfg.AdminToken == "" {
		return
	}
	mux.Handle("POST /admin/ingest", a.authorized(http.HandlerFunc(a.adminIngest)))
	mux.Handle("GET /admin/backup", a.authorized(http.HandlerFunc(a.adminBackup)))
}

// authorized checks the bearer token in constant time.
func (a *app) authorized(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(a.cfg.AdminToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(token))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="podcastgraph admin"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong admin token", "code": "UNAUTHENTICATED"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *app) adminIngest(w http.ResponseWriter, r *http.Request) {
	var req ingestRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err := dec.Decode(&req); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{
				"error": fmt.Sprintf("body over %d bytes: send the pages in smaller batches", tooLarge.Limit), "code": "PAYLOAD_TOO_LARGE"})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON {\"documents\": [{\"name\", \"data\" (base64)}]}: " + err.Error(), "code": "BAD_REQUEST"})
		return
	}
	pages := make([]page, len(req.Documents))
	for i, d := range req.Documents {
		pages[i] = page{name: d.Name, data: d.Data}
		if d.Name == "" || d.Name != filepath.Base(d.Name) || strings.HasPrefix(d.Name, ".") || len(d.Name) > 255 {
			pages[i].err = fmt.Errorf("document %d: name %q must be a plain file name", i, d.Name)
		}
	}
	results, err := a.ing.apply(r.Context(), pages)
	if err != nil {
		a.log.ErrorContext(r.Context(), "admin ingest", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the store could not take the documents; nothing was written", "code": "INTERNAL"})
		return
	}
	for _, res := range results {
		a.log.Info("admin ingest", "document", res.Name, "status", res.Status, "error", res.Error)
	}
	writeJSON(w, http.StatusOK, ingestResponse{Results: results})
}

func (a *app) adminBackup(w http.ResponseWriter, r *http.Request) {
	gen, _ := a.store.Generation()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="podcast-%d.db"`, gen))
	_, err := a.store.WriteTo(r.Context(), w, func(size int64) {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	})
	if err != nil {
		// Headers are gone; cutting the stream short makes the client see
		// a length mismatch rather than a truncated file it might trust.
		a.log.ErrorContext(r.Context(), "admin backup", "err", err)
		panic(http.ErrAbortHandler)
	}
}
