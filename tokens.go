package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minAdminToken is the shortest admin token serve accepts: a token is the
// only thing between the network and /admin/*, /metrics and pprof.
const minAdminToken = 32

// tokenFlags are the flags that carry a secret: their values are visible
// to every user of the machine in process listings when given on the
// command line, and are redacted from /debug/pprof/cmdline.
var tokenFlags = []string{"admin-token", "token"}

// resolveTokens settles the token cmd uses, from its three sources: the
// flag, the environment (PODCAST_ADMIN_TOKEN), and a file (serve's
// --admin-token-file, a client command's --token-file, either's
// PODCAST_ADMIN_TOKEN_FILE). A value given on the command line beats one
// from the environment; a token and a file from the same place are an
// error. It returns a warning for each token given on the command line
// (never the token itself), and an error naming the flag or file that is
// wrong.
func (cfg *config) resolveTokens(fs *flag.FlagSet, cmd string) (warnings []string, err error) {
	onCLI := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { onCLI[f.Name] = true })
	for _, f := range tokenFlags {
		if onCLI[f] && fs.Lookup(f).Value.String() != "" {
			warnings = append(warnings, fmt.Sprintf("--%s on the command line is visible to other users of this machine (ps, /proc); "+
				"use $PODCAST_ADMIN_TOKEN or --%s-file instead", f, f))
		}
	}
	p, tokenFlag, file, fileFlag := &cfg.Token, "token", cfg.TokenFile, "token-file"
	if cmd == "serve" {
		p, tokenFlag, file, fileFlag = &cfg.AdminToken, "admin-token", cfg.AdminTokenFile, "admin-token-file"
	}
	fromCLI, fileFromCLI := onCLI[tokenFlag], onCLI[fileFlag]
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

// checkAdminToken refuses an admin token a server should not run with:
// too short to resist guessing, or with characters an Authorization header
// cannot carry. The message never contains the token.
func checkAdminToken(tok string) error {
	if tok == "" {
		return nil
	}
	if n := utf8.RuneCountInString(tok); n < minAdminToken {
		return fmt.Errorf("the admin token is %d characters; use at least %d (e.g. `openssl rand -hex 32`)", n, minAdminToken)
	}
	for _, r := range tok {
		if r > unicode.MaxASCII || unicode.IsSpace(r) || unicode.IsControl(r) {
			return errors.New("the admin token holds spaces, control or non-ASCII characters, which an Authorization header cannot carry as sent; use printable ASCII")
		}
	}
	return nil
}

// redactArgs returns args with the values of token flags replaced by
// REDACTED, in both the "-flag value" and "-flag=value" forms.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	copy(out, args)
	isToken := func(a string) (name string, ok bool) {
		if !strings.HasPrefix(a, "-") {
			return "", false
		}
		name = strings.TrimLeft(a, "-")
		for _, f := range tokenFlags {
			if name == f || strings.HasPrefix(name, f+"=") {
				return name, true
			}
		}
		return "", false
	}
	for i := 0; i < len(out); i++ {
		name, ok := isToken(out[i])
		if !ok {
			continue
		}
		if k, _, hasValue := strings.Cut(name, "="); hasValue {
			out[i] = out[i][:len(out[i])-len(name)] + k + "=REDACTED"
		} else if i+1 < len(out) {
			out[i+1] = "REDACTED"
			i++
		}
	}
	return out
}

// pprofCmdline serves what pprof.Cmdline does, the running program's
// command line NUL-separated, with token values redacted.
func pprofCmdline(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, strings.Join(redactArgs(os.Args), "\x00"))
}
