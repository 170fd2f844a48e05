package graphhttp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// maxJSONDepth is how deep the JSON of a request may nest. GraphQL
// variables of this API nest three levels at most.
const maxJSONDepth = 32

// endpoint is what the POST and GET transports share.
type endpoint struct {
	opts      *Options
	salt      string // hashed into every ETag
	responses *sizedLRU[*cachedAnswer]
	codec     compressor
	// running holds a token per operation executing; when it is full,
	// operations wait for one in arrival order (see Options.MaxConcurrent).
	running chan struct{}
}

func newEndpoint(o *Options) *endpoint {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%d|%d|%d|%d|%d|%d|%d|%d|%d|%t|%d", o.Version, o.MaxTokens, o.MaxDepth, o.MaxAliases,
		o.MaxDirectives, o.MaxDuplicateFields, o.MaxCost, o.DefaultPageSize, o.MaxPageSize, o.ListSize,
		o.MaxErrors, o.Introspection, o.MaxResponseBytes)
	e := &endpoint{opts: o, salt: hex.EncodeToString(h.Sum(nil)), codec: compressor{told: o.Compressed}}
	if o.ResponseCacheBytes > 0 && o.Generation != nil {
		e.responses = newSizedLRU(o.ResponseCacheBytes, func(key string, a *cachedAnswer) int64 {
			return int64(len(key) + len(a.body) + len(a.gzip) + len(a.br) + 256) // the data is part of the body
		})
	}
	if o.MaxConcurrent > 0 {
		e.running = make(chan struct{}, o.MaxConcurrent)
	}
	return e
}

// run runs an operation once one of the MaxConcurrent tokens is free.
// Waiting operations are let in first come, first served (a channel's
// blocked senders are a FIFO queue). It returns nil when ctx ends first.
func (e *endpoint) run(ctx context.Context, responses graphql.ResponseHandler) *graphql.Response {
	if e.running != nil {
		select {
		case e.running <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		defer func() { <-e.running }()
	}
	return responses(ctx)
}

// postTransport reads a request from a JSON body.
type postTransport struct{ *endpoint }

// getTransport reads a request from the URL's query string; it runs
// queries only.
type getTransport struct{ *endpoint }

var (
	_ graphql.Transport = postTransport{}
	_ graphql.Transport = getTransport{}
)

// Supports reports whether r is a POST.
func (postTransport) Supports(r *http.Request) bool { return r.Method == http.MethodPost }

// Supports reports whether r is a GET or HEAD.
func (getTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodHead
}

// Do answers a POST request.
func (t postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := negotiate(r.Header.Get("Accept"))
	start := graphql.Now()
	limit := t.opts.MaxBodyBytes
	if limit > 0 && r.ContentLength > limit {
		writeErrors(w, media, tooLarge(limit))
		return
	}
	if limit > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	body, err := readBody(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeErrors(w, media, tooLarge(limit))
		} else {
			writeErrors(w, media, errorf(CodeBadRequest, "the body could not be read"))
		}
		return
	}
	// The same bytes decode to the same request: a repeated body is
	// answered from the cache before it is decoded again.
	key, gen := t.cacheKey('P', media, body)
	if a, ok := t.responses.getBytes(key); ok {
		t.hit(w, r, start, media, a, string(key), "")
		return
	}
	p, gerr := decodeBody(body)
	if gerr != nil {
		writeErrors(w, media, gerr)
		return
	}
	p.Headers = r.Header
	p.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	t.execute(w, r, exec, p, media, "", key, gen)
}

// readBody reads a request's body, in one allocation when its length is
// known and modest (a claimed length is not trusted with more: the body
// may never come).
func readBody(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= 1<<20 {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(r.Body)
}

func tooLarge(limit int64) *gqlerror.Error {
	return errorf(CodePayloadTooLarge, "the body is over the limit of %d bytes", limit)
}

// Do answers a GET request, with an ETag when the answer can be cached,
// or 304 Not Modified when the client's copy is current.
func (t getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := negotiate(r.Header.Get("Accept"))
	start := graphql.Now()
	if limit := t.opts.MaxBodyBytes; limit > 0 && int64(len(r.URL.RawQuery)) > limit {
		writeErrors(w, media, errorf(CodeURITooLong, "the query string is over the limit of %d bytes; send a long query with POST", limit))
		return
	}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeErrors(w, media, errorf(CodeBadRequest, "the query string is not valid URL encoding"))
		return
	}
	p := &graphql.RawParams{Headers: r.Header}
	var vars, exts string
	for _, param := range [...]struct {
		name string
		dst  *string
	}{{"query", &p.Query}, {"operationName", &p.OperationName}, {"variables", &vars}, {"extensions", &exts}} {
		name, dst := param.name, param.dst
		v := values[name]
		if len(v) > 1 {
			writeErrors(w, media, errorf(CodeBadRequest, "parameter %q is given %d times", name, len(v)))
			return
		}
		if len(v) == 1 {
			if !utf8.ValidString(v[0]) {
				writeErrors(w, media, errorf(CodeBadRequest, "parameter %q is not valid UTF-8", name))
				return
			}
			*dst = v[0]
		}
	}
	if vars != "" {
		if p.Variables, err = decodeObject([]byte(vars)); err != nil {
			writeErrors(w, media, errorf(CodeBadRequest, "parameter \"variables\" must be a JSON object: %v", err))
			return
		}
	}
	if exts != "" {
		if p.Extensions, err = decodeObject([]byte(exts)); err != nil {
			writeErrors(w, media, errorf(CodeBadRequest, "parameter \"extensions\" must be a JSON object: %v", err))
			return
		}
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		writeErrors(w, media, errorf(CodeBadRequest, "the request has no query: send one in the \"query\" parameter"))
		return
	}
	p.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	etag := ""
	if t.opts.Generation != nil {
		if gen, err := t.opts.Generation(); err == nil {
			etag = t.etag(gen, media, p.Query, p.OperationName, vars, exts)
		}
	}
	if inm := r.Header.Get("If-None-Match"); etag != "" && inm != "" {
		// The client may hold the answer in any coding it accepts, or
		// uncompressed; a 304 names the one it has. A tag it holds names
		// an answer it was sent, so the request was valid; "*" is
		// answered once the request is (deliver).
		var candidates []string
		for _, c := range acceptEncoding(r.Header.Values("Accept-Encoding")).allowed() {
			candidates = append(candidates, taggedETag(etag, c))
		}
		if tag := matchETag(inm, append(candidates, etag)...); tag != "" {
			t.cacheHeaders(w, tag)
			varyEncoding(w.Header())
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	key, gen := t.cacheKey('G', media, []byte(p.Query), []byte{0}, []byte(p.OperationName), []byte{0}, []byte(vars), []byte{0}, []byte(exts))
	if a, ok := t.responses.getBytes(key); ok {
		t.hit(w, r, start, media, a, string(key), etag)
		return
	}
	t.execute(w, r.WithContext(context.WithValue(r.Context(), getRequestKey{}, true)), exec, p, media, etag, key, gen)
}

// etag returns the entity tag of a GET answer: the same request, in the
// same media type, to the same release and settings, over the same
// generation of the store gets the same answer.
func (e *endpoint) etag(gen uint64, parts ...string) string {
	h := sha256.New()
	io.WriteString(h, e.salt)
	for _, p := range parts {
		h.Write([]byte{0})
		io.WriteString(h, p)
	}
	return `W/"` + strconv.FormatUint(gen, 10) + "-" + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// etagMatch reports whether an If-None-Match header names etag, by weak
// comparison. A "*" in the header names no tag but itself: it asks
// whether there is an answer at all, which only answering the request
// tells (see deliver); etagMatch(header, "*") reports whether it is there.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimSpace(tag)
		if strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}

// cacheHeaders marks a GET answer as cacheable.
func (e *endpoint) cacheHeaders(w http.ResponseWriter, etag string) {
	h := w.Header()
	h.Set("ETag", etag)
	if age := int(e.opts.CacheMaxAge.Seconds()); age > 0 {
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(age))
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Add("Vary", "Accept")
}

// cachedAnswer is an answer as the response cache keeps it. It is shared
// by every request that finds it and never changed: an answer in a new
// coding replaces the entry by a copy.
type cachedAnswer struct {
	resp      *graphql.Response // as executed, without any client's budget
	operation string            // the request's operationName, for Options.CacheHit
	body      []byte            // resp encoded
	gzip, br  []byte            // body in each coding, once a client asked for it
}

func newCachedAnswer(resp *graphql.Response, operation string) *cachedAnswer {
	body := encodeResponse(resp)
	// The data is in the body as it is (see encodeResponse): keep it once.
	const at = len(`{"data":`)
	shared := *resp
	if len(resp.Errors) == 0 && len(body) >= at+len(resp.Data) && bytes.Equal(body[at:at+len(resp.Data)], resp.Data) {
		shared.Data = body[at : at+len(resp.Data) : at+len(resp.Data)]
	} else {
		// The executor's buffer goes back to it once the request is
		// answered (graph.WithAnswerBuffer): the cache keeps a copy.
		shared.Data = bytes.Clone(resp.Data)
	}
	resp = &shared
	return &cachedAnswer{resp: resp, operation: operation, body: body}
}

// coded returns the body in coding, nil when it was not made yet.
func (a *cachedAnswer) coded(coding string) []byte {
	switch coding {
	case codingGzip:
		return a.gzip
	case codingBrotli:
		return a.br
	}
	return nil
}

// with returns a copy of a that keeps b as its body in coding.
func (a *cachedAnswer) with(coding string, b []byte) *cachedAnswer {
	c := *a
	switch coding {
	case codingGzip:
		c.gzip = b
	case codingBrotli:
		c.br = b
	}
	return &c
}

// cacheKey names a request's answer in the response cache: kind ('P' for
// a POST body, 'G' for GET parameters), the data's generation, the media
// type and the request's bytes, which decode to the same request every
// time. It returns nil when there is no cache.
func (e *endpoint) cacheKey(kind byte, media string, parts ...[]byte) ([]byte, uint64) {
	if e.responses == nil {
		return nil, 0
	}
	gen, err := e.opts.Generation()
	if err != nil {
		return nil, 0
	}
	n := 32 + len(media)
	for _, p := range parts {
		n += len(p)
	}
	key := make([]byte, 0, n)
	key = append(key, kind)
	key = strconv.AppendUint(key, gen, 10)
	key = append(key, 0)
	key = append(key, media...)
	key = append(key, 0)
	for _, p := range parts {
		key = append(key, p...)
	}
	return key, gen
}

// hit answers a request from the response cache.
func (e *endpoint) hit(w http.ResponseWriter, r *http.Request, start time.Time, media string, a *cachedAnswer, key, etag string) {
	ctx := r.Context()
	isGET := r.Method != http.MethodPost
	if e.opts.CacheHit != nil {
		e.opts.CacheHit(ctx, a.operation)
	}
	// A cached answer costs what executing it would: a client's budget
	// does not depend on what other clients asked.
	if err := charge(ctx, costOf(a.resp)); err != nil {
		e.write(w, r, start, media, &graphql.Response{Errors: gqlerror.List{err}}, isGET, "")
		return
	}
	if personal(ctx, a.resp, etag == "") {
		e.write(w, r, start, media, withBudget(ctx, a.resp, true), isGET, etag)
		return
	}
	e.writeCached(w, r, start, media, a, key, etag, true)
}

// personal reports whether resp, as ctx's client is sent it, carries that
// client's budget (see withBudget): such a body is made for one request,
// and neither it nor its compressed bytes are kept.
func personal(ctx context.Context, resp *graphql.Response, show bool) bool {
	return show && budgetFrom(ctx) != nil && costOf(resp) != nil
}

// execute runs a decoded request and writes its answer; etag is the
// answer's entity tag for a GET, "" for a POST; key is the answer's name in
// the response cache (nil without one) and gen the generation it names.
func (e *endpoint) execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, p *graphql.RawParams, media, etag string, key []byte, gen uint64) {
	if e.opts.Prepare != nil {
		ctx, done := e.opts.Prepare(r.Context())
		defer done()
		r = r.WithContext(ctx)
	}
	ctx := r.Context()
	isGET := r.Method != http.MethodPost
	opCtx, errs := exec.CreateOperationContext(ctx, p)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		e.write(w, r, p.ReadTime.Start, media, resp, isGET, "")
		return
	}
	if isGET && opCtx.Operation.Operation != ast.Query {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), gqlerror.List{
			errorf(CodeMethodNotAllowed, "a %s cannot be sent with GET; use POST", opCtx.Operation.Operation)})
		e.write(w, r, p.ReadTime.Start, media, resp, isGET, "")
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := e.run(ctx, responses)
	if e.opts.Executed != nil {
		// The answer is bytes in memory: release what execution held
		// before a client, perhaps slow to read, is sent them.
		e.opts.Executed(ctx)
	}
	if resp == nil {
		// The context ended before execution began (or while the
		// operation waited its turn): the deadline, or a client that went
		// away.
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return
		}
		resp = exec.DispatchError(ctx, gqlerror.List{errorf(CodeTimeout, "the operation took too long and was stopped")})
	}
	if limit := e.opts.MaxResponseBytes; limit > 0 && int64(len(resp.Data)) > limit {
		// The executor did not stop at the limit itself.
		resp = exec.DispatchError(ctx, gqlerror.List{responseTooLarge(limit)})
	}
	if len(resp.Errors) > 0 {
		etag = ""
	} else if key != nil && opCtx.Operation.Operation == ast.Query {
		// Kept only when no write committed while it ran, so the answer is
		// the data of generation gen.
		if now, err := e.opts.Generation(); err == nil && now == gen {
			a := newCachedAnswer(resp, p.OperationName)
			k := string(key)
			e.responses.Add(ctx, k, a)
			if !personal(ctx, resp, etag == "") {
				e.writeCached(w, r, p.ReadTime.Start, media, a, k, etag, false)
				return
			}
		}
	}
	e.write(w, r, p.ReadTime.Start, media, withBudget(ctx, resp, etag == ""), isGET, etag)
}

// writeCached writes an answer of the response cache (no errors, so 200),
// compressed as the client asks when it is large enough; a coding made
// for it is kept in the cache under key. repeated is true when the answer
// was found in the cache rather than just executed: brotli is then worth
// its cost.
func (e *endpoint) writeCached(w http.ResponseWriter, r *http.Request, start time.Time, media string, a *cachedAnswer, key, etag string, repeated bool) {
	body, coding := a.body, ""
	if len(body) >= compressMinBytes {
		coding = acceptEncoding(r.Header.Values("Accept-Encoding")).pick(repeated)
	}
	if coding != "" {
		if b := a.coded(coding); b != nil {
			body = b
		} else {
			body = e.codec.compress(coding, a.body)
			e.responses.replace(key, func(old *cachedAnswer) *cachedAnswer { return old.with(coding, body) })
		}
	}
	e.deliver(w, r, start, http.StatusOK, media, coding, body, r.Method != http.MethodPost, etag)
}

func responseTooLarge(limit int64) *gqlerror.Error {
	return errorf(CodeResponseTooLarge, "the answer is over the limit of %d bytes and was not sent: ask for fewer objects or fields, or page through them with smaller first/last", limit)
}

// write writes a GraphQL response with the status the spec asks for.
// start is when the request began to be read.
func (e *endpoint) write(w http.ResponseWriter, r *http.Request, start time.Time, media string, resp *graphql.Response, isGET bool, etag string) {
	if max := e.opts.MaxErrors; max > 0 && len(resp.Errors) > max {
		more := len(resp.Errors) - max
		resp.Errors = append(resp.Errors[:max:max], errorf(CodeTooManyErrors, "%d more errors are not shown", more))
	}
	status := statusFor(resp.Errors, len(resp.Data) > 0, media)
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "POST")
	}
	buf := takeBody(len(resp.Data) + 64)
	*buf = appendResponse(*buf, resp)
	defer giveBody(buf)
	body := *buf
	coding := ""
	// Answers with errors go as they are: they are seldom large (the
	// errors are capped at MaxErrors, and a partial answer is bounded by
	// MaxResponseBytes like any other).
	if len(resp.Errors) == 0 && len(body) >= compressMinBytes {
		coding = acceptEncoding(r.Header.Values("Accept-Encoding")).pick(false)
		if coding != "" {
			body = e.codec.compress(coding, body)
		}
	}
	e.deliver(w, r, start, status, media, coding, body, isGET, etag)
}

// deliver writes an answer's headers and its body, in coding; a GET
// answer that can be cached (status 200 and an etag) goes as 304 Not
// Modified to a client that sent If-None-Match: * (it asked for the
// answer only if there were none).
func (e *endpoint) deliver(w http.ResponseWriter, r *http.Request, start time.Time, status int, media, coding string, body []byte, isGET bool, etag string) {
	h := w.Header()
	if isGET {
		if etag != "" && status == http.StatusOK {
			e.cacheHeaders(w, taggedETag(etag, coding))
			if etagMatch(r.Header.Get("If-None-Match"), "*") {
				varyEncoding(h)
				w.WriteHeader(http.StatusNotModified)
				return
			}
		} else {
			h.Set("Cache-Control", "no-store")
		}
	}
	varyEncoding(h)
	if coding != "" {
		h.Set("Content-Encoding", coding)
	}
	setHeaders(w, media, len(body))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	e.send(w, r, start, body)
}

// writeChunk is how much of an answer is written under one write deadline.
const writeChunk = 64 << 10

// send writes body in chunks, each under a deadline WriteStallTimeout
// ahead, so that a client that stops reading is cut off once it has
// accepted nothing for that long, however long the answer; the whole stays
// within the server's WriteTimeout, counted from when the request was
// read (start). A failure is logged at debug level: the client is gone or
// cut off, and nothing can be told to it.
func (e *endpoint) send(w http.ResponseWriter, r *http.Request, start time.Time, body []byte) {
	stall := e.opts.WriteStallTimeout
	var rc *http.ResponseController
	var end time.Time // the server's own write deadline, if it has one
	// An answer of one chunk or less fits in the socket's buffer: the
	// server's WriteTimeout covers it, and it costs no deadlines.
	if stall > 0 && len(body) > writeChunk {
		rc = http.NewResponseController(w)
		if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.WriteTimeout > 0 {
			if start.IsZero() {
				start = time.Now()
			}
			end = start.Add(srv.WriteTimeout)
		}
	}
	written := 0
	fail := func(err error) {
		if e.opts.Logger != nil {
			e.opts.Logger.DebugContext(r.Context(), "answer not delivered", "bytes", len(body), "written", written, "err", err)
		}
	}
	if rc == nil && len(body) <= writeChunk && e.opts.HoldWrites != nil {
		// The connection keeps the answer until it is whole, head and
		// body, and then writes it in one call (the server's onewrite).
		e.opts.HoldWrites(r, len(body))
	}
	for written < len(body) {
		if rc != nil {
			d := time.Now().Add(stall)
			if !end.IsZero() && d.After(end) {
				d = end
			}
			if err := rc.SetWriteDeadline(d); err != nil {
				rc = nil // a writer without deadlines: write as it is
			}
		}
		n, err := w.Write(body[written:min(written+writeChunk, len(body))])
		written += n
		if err != nil {
			fail(err)
			return
		}
	}
	if rc != nil {
		// The server flushes what is buffered after the handler returns;
		// do it under the last deadline, then give the connection back
		// its own.
		if err := rc.Flush(); err != nil {
			fail(err)
			return
		}
		_ = rc.SetWriteDeadline(end)
	}
}

// writeErrors writes a response made of errs alone, with the status of
// their codes.
func writeErrors(w http.ResponseWriter, media string, errs ...*gqlerror.Error) {
	if media == "" {
		media = mediaJSON
	}
	writeResponse(w, media, statusFor(errs, false, media), &graphql.Response{Errors: errs})
}

// writeResponse writes resp, in one write.
func writeResponse(w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	body := encodeResponse(resp)
	setHeaders(w, media, len(body))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func setHeaders(w http.ResponseWriter, media string, length int) {
	h := w.Header()
	h.Set("Content-Type", contentTypeOf(media))
	h.Set("Content-Length", strconv.Itoa(length))
}

// encodeResponse encodes resp. The data, already JSON, is copied as it is;
// a response without data has no data entry, as the spec asks of request
// errors.
func encodeResponse(resp *graphql.Response) []byte {
	return appendResponse(make([]byte, 0, len(resp.Data)+64), resp)
}

// appendResponse appends resp, encoded, to buf.
func appendResponse(buf []byte, resp *graphql.Response) []byte {
	buf = append(buf, '{')
	sep := ""
	if len(resp.Errors) > 0 {
		b, err := json.Marshal(resp.Errors)
		if err != nil {
			b = []byte(`[{"message":"internal error","extensions":{"code":"INTERNAL"}}]`)
		}
		buf = append(buf, `"errors":`...)
		buf = append(buf, b...)
		sep = ","
	}
	if len(resp.Data) > 0 {
		buf = append(append(buf, sep...), `"data":`...)
		buf = append(buf, resp.Data...)
		sep = ","
	}
	if len(resp.Extensions) > 0 {
		if b, err := json.Marshal(resp.Extensions); err == nil {
			buf = append(append(buf, sep...), `"extensions":`...)
			buf = append(buf, b...)
		}
	}
	return append(buf, '}')
}

// bodies are the buffers answers that nothing keeps (write) are encoded
// into, handed back once written (an io.Writer keeps nothing it is
// given): an executed nested page is a buffer of 10-20 KB per request.
// Buffers past maxPooledBody are left to the collector, so that one large
// answer does not stay in the pool.
var bodies sync.Pool // of *[]byte

const maxPooledBody = 256 << 10

func takeBody(n int) *[]byte {
	if b, ok := bodies.Get().(*[]byte); ok {
		if cap(*b) >= n {
			return b
		}
		bodies.Put(b)
	}
	b := make([]byte, 0, n)
	return &b
}

func giveBody(b *[]byte) {
	if cap(*b) <= maxPooledBody {
		*b = (*b)[:0]
		bodies.Put(b)
	}
}

// rawParams are a POST body's parameters, as JSON.
type rawParams struct {
	Query, OperationName, Variables, Extensions json.RawMessage
}

// bodyParams reads the parameters of a JSON object by their exact names,
// as GET reads them from the query string: "Query" is not "query" (Go's
// JSON decoding would match it ignoring case), a parameter given twice is
// an error (it would take the last), and other members are ignored.
func bodyParams(obj []byte) (rawParams, *gqlerror.Error) {
	var raw rawParams
	invalid := func(err error) *gqlerror.Error {
		return errorf(CodeBadRequest, "the body is not valid JSON: %s", jsonError(err))
	}
	if !json.Valid(obj) {
		var v any
		return raw, invalid(json.Unmarshal(obj, &v))
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil { // {
		return raw, invalid(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return raw, invalid(err)
		}
		name, _ := tok.(string)
		var dst *json.RawMessage
		switch name {
		case "query":
			dst = &raw.Query
		case "operationName":
			dst = &raw.OperationName
		case "variables":
			dst = &raw.Variables
		case "extensions":
			dst = &raw.Extensions
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return raw, invalid(err)
		}
		if dst == nil {
			continue
		}
		if *dst != nil {
			return raw, errorf(CodeBadRequest, "parameter %q is given twice", name)
		}
		*dst = v
	}
	return raw, nil
}

// decodeBody reads the parameters of a POST body: a JSON object with a
// string query, and optional string operationName and object variables and
// extensions (null is the same as absent).
func decodeBody(body []byte) (*graphql.RawParams, *gqlerror.Error) {
	if !utf8.Valid(body) {
		return nil, errorf(CodeBadRequest, "the body is not valid UTF-8")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, errorf(CodeBadRequest, "the body is empty: send a JSON object with a query")
	case trimmed[0] == '[':
		return nil, errorf(CodeBatching, "batched requests are not supported: send one operation per request (HTTP/2 and keep-alive make that cheap)")
	case trimmed[0] != '{':
		return nil, errorf(CodeBadRequest, "the body must be a JSON object with a query")
	}
	if d := jsonDepth(trimmed); d > maxJSONDepth {
		return nil, errorf(CodeBadRequest, "the body nests JSON deeper than %d levels", maxJSONDepth)
	}
	raw, gerr := bodyParams(trimmed)
	if gerr != nil {
		return nil, gerr
	}
	p := &graphql.RawParams{}
	if err := decodeString(raw.Query, &p.Query); err != nil {
		return nil, errorf(CodeBadRequest, "parameter \"query\" must be a string")
	}
	if err := decodeString(raw.OperationName, &p.OperationName); err != nil {
		return nil, errorf(CodeBadRequest, "parameter \"operationName\" must be a string or null")
	}
	var err error
	if p.Variables, err = decodeObject(raw.Variables); err != nil {
		return nil, errorf(CodeBadRequest, "parameter \"variables\" must be an object or null")
	}
	if p.Extensions, err = decodeObject(raw.Extensions); err != nil {
		return nil, errorf(CodeBadRequest, "parameter \"extensions\" must be an object or null")
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return nil, errorf(CodeBadRequest, "the request has no query: send one in the \"query\" parameter")
	}
	return p, nil
}

var errNotObject = errors.New("not a JSON object")

// decodeString decodes a JSON string into dst; null or nothing leaves dst
// empty.
func decodeString(raw json.RawMessage, dst *string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '"' {
		return errors.New("not a string")
	}
	return json.Unmarshal(raw, dst)
}

// decodeObject decodes a JSON object, keeping numbers as json.Number as
// gqlgen expects; null or nothing is a nil map.
func decodeObject(raw []byte) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errNotObject
	}
	if jsonDepth(raw) > maxJSONDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, errors.New(jsonError(err))
	}
	if dec.More() {
		return nil, errors.New("data after the object")
	}
	return m, nil
}

// jsonError describes a JSON syntax error without echoing the input.
func jsonError(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of input"
	}
	return "wrong JSON type"
}

// jsonDepth returns how deep arrays and objects nest in b, which need not
// be valid JSON.
func jsonDepth(b []byte) int {
	depth, deepest := 0, 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			deepest = max(deepest, depth)
		case '}', ']':
			depth--
		}
	}
	return deepest
}
