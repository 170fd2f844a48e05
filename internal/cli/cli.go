package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"podcastgraph/internal/server"
)

// Env is what a command runs with: where it reads its environment and
// writes its output.
type Env struct {
	// Getenv reads an environment variable (os.Getenv, or a test's map).
	Getenv func(string) string
	// Stdout takes a command's report (serve's log); Stderr the warnings
	// of a client command, kept apart from its report.
	Stdout, Stderr io.Writer
	// Testing reaches code no client can (the zero value is production):
	// serve passes it to the server; its FailApply also reaches the store
	// the ingest command writes.
	Testing server.Options
}

// Command is one command of the program.
type Command struct {
	// Name is the word that selects it; Args its synopsis after the name.
	Name, Args string
	// Summary says what it does, for --help.
	Summary string
	// Run parses args (the arguments after the command's name) and runs.
	Run func(ctx context.Context, env *Env, args []string) error
}

// ErrReported ends a command that already printed why it failed: the
// program exits 1 without saying more.
var ErrReported = errors.New("failed")

// run parses args with the flags declare declares, and calls do with the
// arguments left; --help prints the command's usage and succeeds.
func (c *Command) run(env *Env, args []string, declare func(*flags), do func(f *flags, rest []string) error) error {
	f := newFlags(c, env.Getenv)
	declare(f)
	if err := f.parse(args, env.Stdout); err != nil {
		if errors.Is(err, errHelp) {
			return nil
		}
		return err
	}
	return do(f, f.fs.Args())
}

// warn prints a client command's warnings beside its report.
func warn(env *Env, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintln(env.Stderr, "warning:", w)
	}
}
