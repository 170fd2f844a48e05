// Command gqlpatch rewrites gqlgen's generated executor after `go generate`
// so that an answer costs what its data costs rather than what gqlgen's
// general machinery costs (docs/performance.md has the figures). Each
// rewrite is named (rewrites.go); the code most of them write calls a
// runtime in package graph, in files named for it (graph/gqlpatch_*.go):
//
//   - "lists run inline" and "resolver fields run inline": lists' elements
//     and objects' resolver fields run one after another on the request's
//     goroutine instead of a goroutine each (gqlpatch_slice.go);
//   - "lean field set": objects keep their values in a lean field set
//     rather than gqlgen's, which carries @defer bookkeeping; @defer,
//     refused by the transports, is answered with an error should an
//     operation reach the executor another way (gqlpatch_fieldset.go);
//   - "selection sets collected once per operation" and "arguments parsed
//     once per operation" (gqlpatch_memo.go);
//   - "answer buffer sized and bounded": the answer's buffer is sized from
//     the answers before it, and the marshal stops at the answer size limit
//     or the operation's deadline (gqlpatch_answer.go);
//   - "objects and lists from the operation's slabs": the field sets,
//     list arrays and list elements' field contexts of an answer are taken
//     from slabs that go back to a pool, cleared, once the answer is
//     written, so the next operation reuses them (gqlpatch_arena.go);
//   - "leaf fields marshalled at once" and "string leaves marshalled
//     through a pointer": a leaf field read straight off its Go value (a
//     struct field or a method without arguments, no directive) is
//     marshalled at once, without the field context, middleware closure,
//     boxing and panic guard that gqlgen wraps around every field (about
//     eight allocations each; a nested answer has hundreds of such
//     fields); a string field through a pointer to it (gqlpatch_leaves.go).
//
// Field middleware: the rewritten leaf fields bypass gqlgen's field
// middleware (handler.AroundFields): a middleware never sees them. Every
// resolver field, and every field with arguments or a directive, still
// runs through graphql.ResolveField and so through the middleware, which
// is what tracing and complexity hooks need (graph's
// TestFieldMiddlewareSeesResolverFields holds it). So internal/tracing's
// field spans (serve --trace-fields) cover resolver fields and never the
// rewritten leaves; the root TestTracingSpans checks both.
//
// gqlpatch was written against the templates of one gqlgen version
// (gqlgenVersion) and refuses to run against another: on an upgrade, check
// each rewrite against the new templates, then bump the constant. A
// rewrite whose text is gone fails with its name; the patched file is
// type-checked (go build with an overlay) before it is written, so a bad
// patch fails `go generate`, never a request.
//
//	go run ./internal/gqlpatch graph/generated.go
//	go run ./internal/gqlpatch -skip 'lists run inline' graph/generated.go  # to measure one rewrite
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// gqlgenVersion is the gqlgen whose generated code the rewrites were
// written for and checked against.
const gqlgenVersion = "v0.17.95"

func main() {
	skip := flag.String("skip", "", "comma-separated names of rewrites to leave out, to measure what they buy (never for committed code)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gqlpatch [-skip NAMES] FILE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *skip); err != nil {
		fmt.Fprintln(os.Stderr, "gqlpatch:", err)
		os.Exit(1)
	}
}

func run(path, skip string) error {
	version, err := usedGqlgen(filepath.Dir(path))
	if err != nil {
		return err
	}
	if err := checkVersion(version); err != nil {
		return err
	}
	opts := options{skip: map[string]bool{}}
	for _, name := range strings.Split(skip, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if !known(name) {
			return fmt.Errorf("-skip: no rewrite is named %q", name)
		}
		opts.skip[name] = true
	}
	return patchFile(path, opts)
}

// usedGqlgen is the version of gqlgen in dir's module, as the go command
// resolves it (a replace directive included).
func usedGqlgen(dir string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}", "github.com/99designs/gqlgen")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("find the gqlgen version in use: go list -m: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// checkVersion fails unless version is the one the rewrites were written for.
func checkVersion(version string) error {
	if version != gqlgenVersion {
		return fmt.Errorf("the rewrites were written for gqlgen %s, but the module uses gqlgen %s: check each rewrite in internal/gqlpatch/rewrites.go against gqlgen's new templates (go generate names any that no longer applies), "+
			"adjust or drop it, then set gqlgenVersion in internal/gqlpatch/main.go to %s", gqlgenVersion, version, version)
	}
	return nil
}

func known(name string) bool {
	for _, r := range rewrites {
		if r.name == name {
			return true
		}
	}
	return false
}

// runtimeOf is the file of package graph that rewrite name calls.
func runtimeOf(name string) string {
	for _, r := range rewrites {
		if r.name == name {
			return r.runtime
		}
	}
	return ""
}

type options struct {
	skip map[string]bool // rewrites left out
}

// patchFile patches the generated file at path, type-checks its package
// with the patched file in its place, and only then writes it.
func patchFile(path string, opts options) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, applied, err := patch(src, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := typeCheck(path, out, applied); err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// patch applies the rewrites in order, except those skipped and those
// needing a skipped one, and returns the patched source with its header
// and the names of the rewrites applied.
func patch(src []byte, opts options) ([]byte, []string, error) {
	if bytes.Contains(src, []byte(headerMark)) {
		return nil, nil, fmt.Errorf("already patched: run gqlgen first (go generate ./...)")
	}
	done := map[string]bool{}
	var applied []string
	for _, r := range rewrites {
		if opts.skip[r.name] || !all(done, r.needs) {
			continue
		}
		out, err := r.apply(src)
		if err != nil {
			return nil, nil, fmt.Errorf("rewrite %q no longer applies: gqlgen's template changed (%v); check the rewrite against gqlgen's new output in internal/gqlpatch/rewrites.go, adjust or drop it", r.name, err)
		}
		src = out
		done[r.name] = true
		applied = append(applied, r.name)
	}
	src, err := addHeader(src, applied)
	if err != nil {
		return nil, nil, err
	}
	out, err := format.Source(src)
	if err != nil {
		return nil, nil, fmt.Errorf("patched code does not parse (rewrites %s): %w", strings.Join(applied, ", "), err)
	}
	return out, applied, nil
}

func all(done map[string]bool, names []string) bool {
	for _, n := range names {
		if !done[n] {
			return false
		}
	}
	return true
}

// headerMark starts the comment patch adds after gqlgen's "Code generated"
// line.
const headerMark = "// Patched by internal/gqlpatch"

// addHeader says, right after gqlgen's first line, that the file is
// patched, by which rewrites and for which gqlgen. "// Code generated"
// stays the first line, so that tools still see a generated file.
func addHeader(src []byte, applied []string) ([]byte, error) {
	nl := bytes.IndexByte(src, '\n')
	if nl < 0 || !bytes.HasPrefix(src, []byte("// Code generated ")) || !bytes.HasSuffix(src[:nl], []byte("DO NOT EDIT.")) {
		return nil, fmt.Errorf("the first line is not gqlgen's \"// Code generated ... DO NOT EDIT.\"")
	}
	var h strings.Builder
	fmt.Fprintf(&h, "\n%s for gqlgen %s after gqlgen generated it\n// (go generate ./...): regenerate, never edit by hand. Rewrites applied:\n", headerMark, gqlgenVersion)
	for _, name := range applied {
		fmt.Fprintf(&h, "//   - %s", name)
		if rt := runtimeOf(name); rt != "" {
			fmt.Fprintf(&h, " (runtime: %s)", rt)
		}
		h.WriteString("\n")
	}
	return append(src[:nl+1:nl+1], append([]byte(h.String()), src[nl+1:]...)...), nil
}

// typeCheck builds path's package with src in path's place (go build
// -overlay), so that a patch that does not compile fails here.
func typeCheck(path string, src []byte, applied []string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gqlpatch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	patched := filepath.Join(tmp, filepath.Base(path))
	if err := os.WriteFile(patched, src, 0o644); err != nil {
		return err
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {abs: patched}})
	if err != nil {
		return err
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-overlay", overlayFile, ".")
	cmd.Dir = filepath.Dir(abs)
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := strings.ReplaceAll(string(out), patched, path)
		return fmt.Errorf("%s: the patched file does not compile, so it was not written (rewrites applied: %s); find the rewrite at fault with -skip NAME, check it against gqlgen's output and the runtime in graph/gqlpatch_*.go:\n%s",
			path, strings.Join(applied, ", "), strings.TrimSpace(msg))
	}
	return nil
}
