// Command podcastgraph serves a GraphQL API over a podcast knowledge graph:
// it ingests podcast episode pages into an embedded bbolt store and serves
// shows, episodes, guests and topics through gqlgen, with GraphiQL at /.
//
// Usage:
//
//	podcastgraph [serve] [flags]            ingest --seeds, then serve HTTP
//	podcastgraph ingest [--db PATH] PATH|URL...  ingest files, directories, URLs
//	podcastgraph backup --db PATH OUT       write a consistent snapshot
//	podcastgraph cluster status --server URL  a cluster node's state (docs/cluster.md)
//
// `podcastgraph COMMAND --help` lists a command's flags. This package is
// only the entry point: the commands are in internal/cli.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"podcastgraph/internal/cli"
)

// commands is the command table, in the order usage lists them; the first
// runs when no command is named.
func commands() []*cli.Command {
	return []*cli.Command{cli.Serve(), cli.Ingest(), cli.Backup(), cli.Compact(), cli.Probe(), cli.Cluster()}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if !errors.Is(err, cli.ErrReported) {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program: it parses args (flags fall back to environment
// variables read through getenv), runs the command and writes its output and
// logs to stdout. It returns when the command is done or ctx is cancelled.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return runEnv(ctx, args, &cli.Env{Getenv: getenv, Stdout: stdout, Stderr: os.Stderr})
}

// runEnv is run with the whole environment a command gets (tests set its
// Testing options).
func runEnv(ctx context.Context, args []string, env *cli.Env) error {
	if len(args) > 0 && (args[0] == "help" || isHelp(args[0])) {
		if len(args) > 1 && args[0] == "help" {
			if c := lookup(args[1]); c != nil {
				return c.Run(ctx, env, []string{"--help"})
			}
		}
		usage(env.Stdout)
		return nil
	}
	cmd := commands()[0]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if cmd = lookup(args[0]); cmd == nil {
			return fmt.Errorf("unknown command %q (want serve, ingest, backup, compact or cluster)", args[0])
		}
		args = args[1:]
	}
	return cmd.Run(ctx, env, args)
}

func lookup(name string) *cli.Command {
	for _, c := range commands() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// usage prints the program's synopsis: its commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: podcastgraph [COMMAND] [flags] [ARGS]")
	fmt.Fprintln(w, "\nCommands (serve when none is named):")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-7s %s\n", c.Name, c.Args)
	}
	fmt.Fprintln(w, "\n`podcastgraph COMMAND --help` says what a command does and lists its flags,")
	fmt.Fprintln(w, "each also read from the environment variable named beside it.")
}
