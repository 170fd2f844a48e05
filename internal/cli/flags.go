package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// flags is a command's flag set, declared through the one helper every
// command uses: each flag names the environment variable it falls back to.
// A flag given on the command line wins; then the variable, when it parses
// and is in range; then the default. A variable that does not parse or is
// out of range is ignored, and said so in a warning (Warnings).
type flags struct {
	fs       *flag.FlagSet
	getenv   func(string) string
	cmd      *Command
	warnings []string
	// checks refuse a number given on the command line below its
	// flag's minimum (the flag package takes any); parse runs them.
	checks []func() error
}

// atLeast registers the check that the number flag name holds is at
// least min.
func atLeast[T int | int64 | uint64 | float64 | time.Duration](f *flags, p *T, name string, min T) {
	f.checks = append(f.checks, func() error {
		if *p < min {
			return fmt.Errorf("--%s %v: must be at least %v", name, *p, min)
		}
		return nil
	})
}

func newFlags(cmd *Command, getenv func(string) string) *flags {
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors and help itself
	fs.Usage = func() {}
	return &flags{fs: fs, getenv: getenv, cmd: cmd}
}

// set reports whether flag name was given on the command line.
func (f *flags) set(name string) bool {
	found := false
	f.fs.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	return found
}

// Warnings are the environment variables ignored, one line each.
func (f *flags) Warnings() []string { return f.warnings }

func (f *flags) str(p *string, name, env, def, usage string) {
	if v := f.getenv(env); v != "" {
		def = v
	}
	f.fs.StringVar(p, name, def, usage+" ($"+env+")")
}

func (f *flags) boolean(p *bool, name, env string, def bool, usage string) {
	f.fromEnv(env, "true or false", func(v string) bool {
		b, err := strconv.ParseBool(v)
		if err == nil {
			def = b
		}
		return err == nil
	})
	f.fs.BoolVar(p, name, def, usage+" ($"+env+")")
}

func (f *flags) integer(p *int, name, env string, def, min int, usage string) {
	f.fromEnv(env, fmt.Sprintf("an integer of at least %d", min), func(v string) bool {
		n, err := strconv.Atoi(v)
		if err == nil && n >= min {
			def = n
		}
		return err == nil && n >= min
	})
	f.fs.IntVar(p, name, def, usage+" ($"+env+")")
	atLeast(f, p, name, min)
}

func (f *flags) int64(p *int64, name, env string, def, min int64, usage string) {
	f.fromEnv(env, fmt.Sprintf("an integer of at least %d", min), func(v string) bool {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil && n >= min {
			def = n
		}
		return err == nil && n >= min
	})
	f.fs.Int64Var(p, name, def, usage+" ($"+env+")")
	atLeast(f, p, name, min)
}

func (f *flags) uint64(p *uint64, name, env string, def, min uint64, usage string) {
	f.fromEnv(env, fmt.Sprintf("an integer of at least %d", min), func(v string) bool {
		n, err := strconv.ParseUint(v, 10, 64)
		if err == nil && n >= min {
			def = n
		}
		return err == nil && n >= min
	})
	f.fs.Uint64Var(p, name, def, usage+" ($"+env+")")
	atLeast(f, p, name, min)
}

func (f *flags) float(p *float64, name, env string, def, min float64, usage string) {
	f.fromEnv(env, fmt.Sprintf("a number of at least %g", min), func(v string) bool {
		n, err := strconv.ParseFloat(v, 64)
		if err == nil && n >= min {
			def = n
		}
		return err == nil && n >= min
	})
	f.fs.Float64Var(p, name, def, usage+" ($"+env+")")
	atLeast(f, p, name, min)
}

func (f *flags) duration(p *time.Duration, name, env string, def, min time.Duration, usage string) {
	f.fromEnv(env, fmt.Sprintf("a duration of at least %v, such as 30s", min), func(v string) bool {
		d, err := time.ParseDuration(v)
		if err == nil && d >= min {
			def = d
		}
		return err == nil && d >= min
	})
	f.fs.DurationVar(p, name, def, usage+" ($"+env+")")
	atLeast(f, p, name, min)
}

// fromEnv offers env's value, if set, to use, which reports whether it
// took it; a value it refuses becomes a warning saying what was wanted.
func (f *flags) fromEnv(env, want string, use func(string) bool) {
	v := f.getenv(env)
	if v == "" || use(v) {
		return
	}
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	f.warnings = append(f.warnings, fmt.Sprintf("ignoring $%s=%q: want %s; the default holds", env, v, want))
}

// parse parses a command's arguments. --help (-h) prints the command's
// usage to out and returns errHelp; a flag the command does not have, or a
// value that does not parse, is an error naming the command.
func (f *flags) parse(args []string, out io.Writer) error {
	err := f.fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.usage(out)
		return errHelp
	case err != nil:
		return fmt.Errorf("%s: %w (`podcastgraph %s --help` lists its flags)", f.cmd.Name, err, f.cmd.Name)
	}
	for _, check := range f.checks {
		if err := check(); err != nil {
			return fmt.Errorf("%s: %w (`podcastgraph %s --help` lists its flags)", f.cmd.Name, err, f.cmd.Name)
		}
	}
	return nil
}

// usage prints the command's synopsis, what it does and its flags.
func (f *flags) usage(out io.Writer) {
	fmt.Fprintf(out, "Usage: podcastgraph %s\n\n%s\n\nFlags:\n", strings.TrimSpace(f.cmd.Name+" "+f.cmd.Args), f.cmd.Summary)
	f.fs.SetOutput(out)
	f.fs.PrintDefaults()
	f.fs.SetOutput(io.Discard)
}

// errHelp ends a command whose usage was asked for: it succeeds.
var errHelp = errors.New("help requested")
