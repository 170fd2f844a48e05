package server

import (
	"errors"
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

// CheckAdminToken refuses an admin token a server should not run with:
// too short to resist guessing, or with characters an Authorization header
// cannot carry. The message never contains the token.
func CheckAdminToken(tok string) error {
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
