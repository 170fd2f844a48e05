package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

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
	// Profiled commands take --cpuprofile: the commands that do the
	// program's work (serve, ingest), whose profiles make default.pgo.
	Profiled bool
}

// ErrReported ends a command that already printed why it failed: the
// program exits 1 without saying more.
var ErrReported = errors.New("failed")

// run parses args with the flags declare declares, and calls do with the
// arguments left; --help prints the command's usage and succeeds.
func (c *Command) run(env *Env, args []string, declare func(*flags), do func(f *flags, rest []string) error) error {
	f := newFlags(c, env.Getenv)
	var profile string
	if c.Profiled {
		f.str(&profile, "cpuprofile", "PODCAST_CPUPROFILE", "",
			"write a CPU profile of the whole run to this file, for go tool pprof (docs/performance.md, \"Profile-guided optimisation\")")
	}
	declare(f)
	if err := f.parse(args, env.Stdout); err != nil {
		if errors.Is(err, errHelp) {
			return nil
		}
		return err
	}
	if profile == "" {
		return do(f, f.fs.Args())
	}
	stop, err := profileCPU(profile)
	if err != nil {
		return err
	}
	err = do(f, f.fs.Args())
	return errors.Join(err, stop())
}

// profileCPU starts Go's CPU profiler writing to a new file at path; stop
// ends it and closes the file. The file is created before the command
// runs, so a path that cannot be written stops it at once.
func profileCPU(path string) (stop func() error, err error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := out.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// warn prints a client command's warnings beside its report.
func warn(env *Env, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintln(env.Stderr, "warning:", w)
	}
}
