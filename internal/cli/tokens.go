package cli

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// resolveToken settles the token a command uses, from its three sources:
// the flag tokenFlag (p), the environment (PODCAST_ADMIN_TOKEN, already in
// p when the flag was not given), and the file named by fileFlag (file;
// from the flag or PODCAST_ADMIN_TOKEN_FILE). A value given on the command
// line beats one from the environment; a token and a file from the same
// place are an error. It returns a warning when the token was given on the
// command line (never the token itself), and an error naming the flag or
// file that is wrong.
func resolveToken(fs *flag.FlagSet, p *string, tokenFlag, file, fileFlag string) (warnings []string, err error) {
	onCLI := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { onCLI[f.Name] = true })
	fromCLI, fileFromCLI := onCLI[tokenFlag], onCLI[fileFlag]
	if fromCLI && *p != "" {
		warnings = append(warnings, fmt.Sprintf("--%s on the command line is visible to other users of this machine (ps, /proc); "+
			"use $PODCAST_ADMIN_TOKEN or --%s-file instead", tokenFlag, tokenFlag))
	}
	switch {
	case file == "":
	case *p != "" && fromCLI && fileFromCLI:
		return warnings, fmt.Errorf("--%s and --%s both give a token: give one", tokenFlag, fileFlag)
	case *p != "" && !fromCLI && !fileFromCLI:
		return warnings, fmt.Errorf("$PODCAST_ADMIN_TOKEN and $PODCAST_ADMIN_TOKEN_FILE both give a token: set one")
	case fromCLI && !fileFromCLI:
		// The flag on the command line beats a file from the environment.
	default:
		tok, err := readTokenFile(file)
		if err != nil {
			return warnings, fmt.Errorf("--%s: %w", fileFlag, err)
		}
		*p = tok
	}
	return warnings, nil
}

// readTokenFile reads a token from a file, without its trailing newline.
func readTokenFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > 4096 {
		return "", fmt.Errorf("%s is %d bytes: a token file holds one token", path, fi.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if tok == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return tok, nil
}

// clientFlags are the flags ingest and backup share to reach a server.
type clientFlags struct {
	Server, Token, TokenFile string
}

func (c *clientFlags) declare(f *flags) {
	f.str(&c.Server, "server", "PODCAST_SERVER", "", "URL of a running server (ingest, backup)")
	f.str(&c.Token, "token", "PODCAST_ADMIN_TOKEN", "", "admin token a client command sends")
	f.str(&c.TokenFile, "token-file", "PODCAST_ADMIN_TOKEN_FILE", "", "file holding the token a client command sends")
}

// resolve settles the token and prints the command's warnings (the
// environment's and the token's) on stderr, beside the report.
func (c *clientFlags) resolve(env *Env, f *flags) error {
	warnings, err := resolveToken(f.fs, &c.Token, "token", c.TokenFile, "token-file")
	if err != nil {
		return err
	}
	warn(env, append(f.Warnings(), warnings...))
	return nil
}
