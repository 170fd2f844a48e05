package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// postgraphileVersion is the PostGraphile the peer runs: installed with
// npm, once, into the user's cache directory.
const postgraphileVersion = "4.14.1"

// postgres is a PostgreSQL cluster of the load tool's own, made for one
// run in a directory that is removed after it: no TCP listener, only a
// Unix socket in that directory, trust authentication (nothing but this
// machine's root and the cluster's owner can reach the socket).
type postgres struct {
	bin   string // the directory of initdb, postgres and psql
	dir   string // data, socket and log
	sock  string
	cmd   *exec.Cmd
	done  chan struct{} // closed when the postmaster has exited
	owner *owner        // the user the cluster runs as; nil: this process's
}

// owner is a user to run a process as.
type owner struct{ uid, gid int }

// findPostgres returns the directory of PostgreSQL's programs: dir if
// given, else the newest /usr/lib/postgresql/*/bin (Debian's layout),
// else where initdb is on the PATH.
func findPostgres(dir string) (string, error) {
	has := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "initdb"))
		return err == nil
	}
	if dir != "" {
		if !has(dir) {
			return "", fmt.Errorf("-pg-bin %s: no initdb there", dir)
		}
		return dir, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(found, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range found {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("-peer needs PostgreSQL's programs (initdb, postgres, psql): install them (Debian: apt-get install postgresql) or give their directory with -pg-bin")
}

// versionOf reads the major version of /usr/lib/postgresql/VERSION/bin.
func versionOf(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// startPostgres makes a fresh cluster (initdb), starts it and creates the
// database "peer". As root, the cluster runs as the user "postgres", as
// PostgreSQL refuses to run as root.
func startPostgres(ctx context.Context, bin string) (*postgres, error) {
	dir, err := os.MkdirTemp("", "loadtest-peer-*")
	if err != nil {
		return nil, err
	}
	p := &postgres{bin: bin, dir: dir, sock: filepath.Join(dir, "socket"), done: make(chan struct{})}
	started := false
	defer func() {
		if !started {
			p.stop()
		}
	}()
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs a user to run as: %v", err)
		}
		p.owner = &owner{}
		p.owner.uid, _ = strconv.Atoi(u.Uid)
		p.owner.gid, _ = strconv.Atoi(u.Gid)
		if err := os.Chown(dir, p.owner.uid, p.owner.gid); err != nil {
			return nil, err
		}
	}
	if err := os.Mkdir(p.sock, 0o700); err != nil {
		return nil, err
	}
	if p.owner != nil {
		if err := os.Chown(p.sock, p.owner.uid, p.owner.gid); err != nil {
			return nil, err
		}
	}
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
	initdb.Dir, initdb.SysProcAttr = dir, procAttr(0, p.owner)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, lastLines(out, 10))
	}
	log, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	p.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", filepath.Join(dir, "data"), "-k", p.sock, "-c", "listen_addresses=")
	// Stopped by stop; should the tool die first, by the signal.
	p.cmd.Dir, p.cmd.Stdout, p.cmd.Stderr, p.cmd.SysProcAttr = dir, log, log, procAttr(syscall.SIGINT, p.owner)
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("postgres: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	for deadline := time.Now().Add(time.Minute); ; {
		if _, err := p.psql(ctx, "postgres", "select 1"); err == nil {
			break
		}
		select {
		case <-p.done:
			b, _ := os.ReadFile(log.Name())
			return nil, fmt.Errorf("postgres exited:\n%s", lastLines(b, 10))
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, errors.New("postgres not accepting connections after a minute")
		}
	}
	if _, err := p.psql(ctx, "postgres", "create database peer"); err != nil {
		return nil, err
	}
	started = true
	return p, nil
}

// psql runs one command in database db and returns what it prints.
func (p *postgres) psql(ctx context.Context, db, command string) (string, error) {
	out, err := exec.CommandContext(ctx, filepath.Join(p.bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", p.sock, "-U", "postgres", "-d", db, "-c", command).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql: %v\n%s", err, lastLines(out, 10))
	}
	return strings.TrimSpace(string(out)), nil
}

// load runs the psql script at path in the database "peer", as one
// transaction.
func (p *postgres) load(ctx context.Context, path string) error {
	out, err := exec.CommandContext(ctx, filepath.Join(p.bin, "psql"), "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1",
		"-h", p.sock, "-U", "postgres", "-d", "peer", "-f", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("loading the peer's rows: %v\n%s", err, lastLines(out, 10))
	}
	return nil
}

// url is the connection string of the database "peer".
func (p *postgres) url() string {
	return "postgres://postgres@" + url.PathEscape(p.sock) + "/peer"
}

// pids returns the postmaster's process id and its children's.
func (p *postgres) pids() []int {
	return append([]int{p.cmd.Process.Pid}, childrenOf(p.cmd.Process.Pid)...)
}

// stop shuts the cluster down (fast shutdown: clients are disconnected),
// waits for it and removes its directory.
func (p *postgres) stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	os.RemoveAll(p.dir)
}

// postgraphile is a PostGraphile server on 127.0.0.1.
type postgraphile struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
}

// installPostGraphile returns the path of PostGraphile's command,
// installing the pinned version with npm into the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache, under podcastgraph-peer) when it is not
// there yet.
func installPostGraphile(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for PostGraphile: %v", err)
	}
	dir := filepath.Join(cache, "podcastgraph-peer", "postgraphile-"+postgraphileVersion)
	bin := filepath.Join(dir, "node_modules", ".bin", "postgraphile")
	if _, err := exec.LookPath("node"); err != nil {
		return "", errors.New("-peer needs Node.js to run PostGraphile (Debian: apt-get install nodejs npm)")
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("-peer needs npm to install PostGraphile %s into %s (Debian: apt-get install npm)", postgraphileVersion, dir)
	}
	fmt.Printf("peer: installing PostGraphile %s into %s (once)\n", postgraphileVersion, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, "npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error",
		"postgraphile@"+postgraphileVersion).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("npm install postgraphile@%s: %v\n%s", postgraphileVersion, err, lastLines(out, 10))
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("npm installed PostGraphile but %s is missing", bin)
	}
	return bin, nil
}

// startPostGraphile runs PostGraphile over db on a free port of
// 127.0.0.1, as one would serve it: NODE_ENV=production, no query log,
// no GraphiQL; it returns once a query is answered.
func startPostGraphile(ctx context.Context, bin, db, logPath string) (*postgraphile, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	s := &postgraphile{url: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{})}
	s.cmd = exec.Command(bin, "--connection", db, "--schema", "public", "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--disable-query-log", "--disable-graphiql")
	s.cmd.Env = append(os.Environ(), "NODE_ENV=production")
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.SysProcAttr = procAttr(syscall.SIGTERM, nil)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("postgraphile: %v", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	for deadline := time.Now().Add(time.Minute); ; {
		resp, err := http.Post(s.url+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("postgraphile exited:\n%s", lastLines(b, 10))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("postgraphile not answering after a minute")
		}
	}
}

// stop ends PostGraphile (SIGTERM) and waits for it.
func (s *postgraphile) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// childrenOf returns the process ids whose parent is pid.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "PID (COMM) STATE PPID ...": the command may hold spaces and parentheses.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}
