// Command podcastgraph serves a GraphQL API over a podcast knowledge graph:
// it ingests podcast episode pages into an embedded bbolt store and serves
// shows, episodes, guests and topics through gqlgen, with GraphiQL at /.
//
// Usage:
//
//	podcastgraph [serve] [flags]            ingest --seeds, then serve HTTP
//	podcastgraph ingest [--db PATH] PATH... ingest files and directories
//	podcastgraph backup --db PATH OUT       write a consistent snapshot
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(1)
	}
}

// errReported ends a command that already printed why it failed.
var errReported = errors.New("failed")

// run is the whole program: it parses args (flags fall back to environment
// variables read through getenv), runs the command and writes its output and
// logs to stdout. It returns when the command is done or ctx is cancelled.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	cfg, fs := newConfig(cmd, getenv)
	cfg.API.testHooks = testHooksFrom(ctx)
	fs.SetOutput(stdout)
	if err := fs.Parse(args); err != nil {
		return err
	}
	warnings, err := cfg.resolveTokens(fs, cmd)
	if err != nil {
		return err
	}
	if cmd != "serve" {
		// A client command's stdout is its report; warnings go beside it.
		for _, w := range warnings {
			fmt.Fprintln(os.Stderr, "warning:", w)
		}
	}
	switch cmd {
	case "serve":
		if fs.NArg() > 0 {
			return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
		}
		if err := checkAdminToken(cfg.AdminToken); err != nil {
			return fmt.Errorf("--admin-token: %w", err)
		}
		cfg.warnings = warnings
		return serve(ctx, cfg, stdout)
	case "ingest":
		if fs.NArg() == 0 {
			return errors.New("ingest: give at least one file or directory")
		}
		return ingestCommand(ctx, cfg, fs.Args(), stdout)
	case "backup":
		if fs.NArg() != 1 {
			return errors.New("backup: give exactly one output path")
		}
		return backupCommand(ctx, cfg, fs.Arg(0), stdout)
	default:
		return fmt.Errorf("unknown command %q (want serve, ingest or backup)", cmd)
	}
}

// config is every setting, from flags and environment.
type config struct {
	Addr       string
	DB         string
	Seeds      string
	Watch      bool
	AdminToken string
	Token      string
	// AdminTokenFile and TokenFile name files holding the tokens, so that
	// they never appear in process listings (tokens.go).
	AdminTokenFile string
	TokenFile      string
	// WriteTimeout bounds writing one answer; admin streams get it per
	// write instead (admin.go). MaxConnections caps each listener's open
	// connections (listen.go).
	WriteTimeout   time.Duration
	MaxConnections int
	Server         string
	Topics         string
	Batch          int
	QueryTimeout   time.Duration
	AdminAddr      string
	Pprof          bool
	API            apiConfig // the GraphQL endpoint: limits, rate, CORS, caching (graphql.go)

	warnings []string // for serve's log, from resolveTokens
}

// newConfig declares the flags of a command; each falls back to its
// environment variable, then to its default.
func newConfig(cmd string, getenv func(string) string) (*config, *flag.FlagSet) {
	cfg := &config{}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	str := func(p *string, name, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" ($"+env+")")
	}
	boolean := func(p *bool, name, env string, usage string) {
		def, _ := strconv.ParseBool(getenv(env))
		fs.BoolVar(p, name, def, usage+" ($"+env+")")
	}
	str(&cfg.Addr, "addr", "PODCAST_ADDR", "localhost:8080", "listen address; :0 picks a free port")
	str(&cfg.DB, "db", "PODCAST_DB", "podcast.db", "the bbolt store file")
	str(&cfg.Seeds, "seeds", "PODCAST_SEEDS", "seeds", "directory ingested at start; empty disables")
	boolean(&cfg.Watch, "watch", "PODCAST_WATCH", "keep watching the seeds directory")
	str(&cfg.AdminToken, "admin-token", "PODCAST_ADMIN_TOKEN", "", "enables /admin/*, which then needs Authorization: Bearer TOKEN")
	str(&cfg.Token, "token", "PODCAST_ADMIN_TOKEN", "", "admin token a client command sends")
	str(&cfg.AdminTokenFile, "admin-token-file", "PODCAST_ADMIN_TOKEN_FILE", "", "file holding the admin token (kept out of process listings); at least 32 characters")
	str(&cfg.TokenFile, "token-file", "PODCAST_ADMIN_TOKEN_FILE", "", "file holding the token a client command sends")
	str(&cfg.Server, "server", "PODCAST_SERVER", "", "URL of a running server (ingest, backup)")
	str(&cfg.AdminAddr, "admin-addr", "PODCAST_ADMIN_ADDR", "", "separate listener for /metrics, health, pprof and /admin/*; empty serves /metrics on --addr")
	boolean(&cfg.Pprof, "pprof", "PODCAST_PPROF", "serve /debug/pprof/ on the admin listener (needs --admin-addr)")
	str(&cfg.Topics, "topics", "PODCAST_TOPICS", "", "topic vocabulary JSON file; empty uses the built-in one")
	batch := 1024
	if v, err := strconv.Atoi(getenv("PODCAST_BATCH")); err == nil && v > 0 {
		batch = v
	}
	fs.IntVar(&cfg.Batch, "batch", batch, "documents per write transaction when ingesting ($PODCAST_BATCH)")
	timeout := 10 * time.Second
	if v, err := time.ParseDuration(getenv("PODCAST_QUERY_TIMEOUT")); err == nil && v > 0 {
		timeout = v
	}
	fs.DurationVar(&cfg.QueryTimeout, "query-timeout", timeout, "deadline of one GraphQL operation ($PODCAST_QUERY_TIMEOUT)")
	writeTimeout := time.Duration(0)
	if v, err := time.ParseDuration(getenv("PODCAST_WRITE_TIMEOUT")); err == nil && v >= 0 {
		writeTimeout = v
	}
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", writeTimeout, "deadline for writing one answer; 0 means --query-timeout plus 60s; admin streams (backup, ingest) get it per write ($PODCAST_WRITE_TIMEOUT)")
	conns := 1024
	if v, err := strconv.Atoi(getenv("PODCAST_MAX_CONNECTIONS")); err == nil && v >= 0 {
		conns = v
	}
	fs.IntVar(&cfg.MaxConnections, "max-connections", conns, "open connections per listener, idle keep-alive ones included (closed first when the cap is reached); 0 turns it off ($PODCAST_MAX_CONNECTIONS)")
	apiFlags(fs, &cfg.API, getenv)
	return cfg, fs
}
