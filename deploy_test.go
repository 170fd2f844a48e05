package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The Dockerfile's program runs as the image would run it: its ENV, its
// ENTRYPOINT and CMD (the image's paths under a temporary root, the port
// a free one on 127.0.0.1), and its HEALTHCHECK command fails before the
// server is up and succeeds once /readyz does.
func TestDockerfileRunsAsWritten(t *testing.T) {
	df := readDockerfile(t, "Dockerfile")
	root := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	env := os.Environ()
	for k, v := range df.env {
		switch {
		case k == "PODCAST_ADDR":
			if v != ":8080" {
				t.Fatalf("PODCAST_ADDR=%q: the HEALTHCHECK probes port 8080", v)
			}
			v = "127.0.0.1:" + port
		case strings.HasPrefix(v, "/"):
			v = filepath.Join(root, v)
		}
		env = append(env, k+"="+v)
	}
	// What the image's COPY lines put in place.
	seeds, data := filepath.Join(root, df.env["PODCAST_SEEDS"]), filepath.Dir(filepath.Join(root, df.env["PODCAST_DB"]))
	if err := os.MkdirAll(filepath.Dir(seeds), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("seeds")
	if err := os.Symlink(abs, seeds); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}

	probe := func() error {
		args := df.healthcheck[1:]
		args[len(args)-1] = strings.Replace(args[len(args)-1], ":8080/", ":"+port+"/", 1)
		return childCommand(t, env, args).Run()
	}
	if err := probe(); err == nil {
		t.Fatal("the HEALTHCHECK succeeds with no server running")
	}
	srv := childCommand(t, env, append(df.entrypoint[1:], df.cmd...))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if srv.ProcessState == nil {
			_ = srv.Process.Kill()
			_ = srv.Wait()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for probe() != nil {
		if time.Now().After(deadline) {
			t.Fatal("the HEALTHCHECK did not succeed within 30 s of the server's start")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(root, df.env["PODCAST_DB"])); err != nil {
		t.Errorf("the store is not where PODCAST_DB says: %v", err)
	}
	if err := srv.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Errorf("the server did not stop cleanly on SIGINT: %v", err)
	}
}

// The systemd unit verifies (systemd-analyze verify, when installed) and
// its ExecStart's flags parse with the real program.
func TestSystemdUnit(t *testing.T) {
	unit, err := os.ReadFile(filepath.Join("deploy", "podcastgraph.service"))
	if err != nil {
		t.Fatal(err)
	}
	var exec0 []string
	var execLine string
	for line := range strings.Lines(string(unit)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "ExecStart="); ok {
			exec0, execLine = strings.Fields(v), line
		}
	}
	if len(exec0) < 2 || exec0[1] != "serve" {
		t.Fatalf("ExecStart %q: want the binary, then serve", exec0)
	}
	out, err := childCommand(t, os.Environ(), append(exec0[1:], "--help")).Output()
	if err != nil || !strings.Contains(string(out), "Usage: podcastgraph serve") {
		t.Fatalf("ExecStart's flags with --help: %v\n%s", err, out)
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed: the unit's flags parse; the unit itself is not verified")
	}
	// verify needs ExecStart's binary to exist: this test's own binary
	// stands in for it.
	self, _ := os.Executable()
	dir := t.TempDir()
	path := filepath.Join(dir, "podcastgraph.service")
	if err := os.WriteFile(path, []byte(strings.Replace(string(unit), execLine, strings.Replace(execLine, exec0[0], self, 1), 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// childCommand runs this test binary as the program with args (TestMain).
func childCommand(t *testing.T, env, args []string) *exec.Cmd {
	t.Helper()
	js, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(env, "PODCAST_TEST_CHILD="+string(js))
	return cmd
}

type dockerfile struct {
	env                          map[string]string
	entrypoint, cmd, healthcheck []string
}

// readDockerfile reads the final stage's ENV, ENTRYPOINT, CMD and
// HEALTHCHECK CMD (exec form) of a Dockerfile.
func readDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	df := dockerfile{env: map[string]string{}}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(string(b), "\\\n", " ")))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	exec := func(s string) []string {
		var v []string
		if err := json.Unmarshal([]byte(s), &v); err != nil || len(v) == 0 {
			t.Fatalf("%s: %q is not an exec-form array: %v", path, s, err)
		}
		return v
	}
	for _, l := range lines {
		word, rest, _ := strings.Cut(l, " ")
		rest = strings.TrimSpace(rest)
		switch word {
		case "FROM":
			df = dockerfile{env: map[string]string{}} // a new stage
		case "ENV":
			for _, kv := range strings.Fields(rest) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("%s: ENV %q: want KEY=VALUE", path, kv)
				}
				df.env[k] = v
			}
		case "ENTRYPOINT":
			df.entrypoint = exec(rest)
		case "CMD":
			df.cmd = exec(rest)
		case "HEALTHCHECK":
			_, c, ok := strings.Cut(rest, " CMD ")
			if !ok {
				t.Fatalf("%s: HEALTHCHECK without CMD", path)
			}
			df.healthcheck = exec(strings.TrimSpace(c))
		}
	}
	if len(df.entrypoint) == 0 || len(df.cmd) == 0 || len(df.healthcheck) < 2 {
		t.Fatalf("%s: want ENTRYPOINT, CMD and HEALTHCHECK CMD in the final stage", path)
	}
	if df.healthcheck[0] != df.entrypoint[0] {
		t.Fatalf("%s: the HEALTHCHECK runs %s, not the image's binary %s", path, df.healthcheck[0], df.entrypoint[0])
	}
	return df
}

// The Kubernetes manifests: a StatefulSet of three behind a headless
// service of the same name as its serviceName (stable pod names), ready on
// /readyz, its store on a claim per pod mounted where the image keeps it,
// and its serve flags, the cluster's included, known to the program.
func TestKubernetesManifests(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("deploy", "kubernetes", "podcastgraph.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type probe struct {
		HTTPGet struct{ Path string } `yaml:"httpGet"`
	}
	type object struct {
		Kind     string
		Metadata struct{ Name string }
		Spec     struct {
			ClusterIP   string `yaml:"clusterIP"`
			ServiceName string `yaml:"serviceName"`
			Replicas    int
			Template    struct {
				Spec struct {
					Containers []struct {
						Args           []string
						ReadinessProbe probe `yaml:"readinessProbe"`
						VolumeMounts   []struct {
							Name      string
							MountPath string `yaml:"mountPath"`
						} `yaml:"volumeMounts"`
					}
				}
			}
			VolumeClaimTemplates []struct{ Metadata struct{ Name string } } `yaml:"volumeClaimTemplates"`
		}
	}
	headless := map[string]bool{}
	var sets []object
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	for {
		var o object
		if err := dec.Decode(&o); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatal(err)
		}
		switch o.Kind {
		case "Service":
			headless[o.Metadata.Name] = o.Spec.ClusterIP == "None"
		case "StatefulSet":
			sets = append(sets, o)
		}
	}
	if len(sets) != 1 {
		t.Fatalf("%d StatefulSets, want 1", len(sets))
	}
	s := sets[0]
	if s.Spec.Replicas != 3 || !headless[s.Spec.ServiceName] || len(s.Spec.Template.Spec.Containers) != 1 ||
		len(s.Spec.VolumeClaimTemplates) != 1 {
		t.Fatalf("StatefulSet: %d replicas, serviceName %q (headless %v), %d containers, %d claims; want 3, a headless service, 1, 1",
			s.Spec.Replicas, s.Spec.ServiceName, headless[s.Spec.ServiceName], len(s.Spec.Template.Spec.Containers), len(s.Spec.VolumeClaimTemplates))
	}
	c := s.Spec.Template.Spec.Containers[0]
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("readiness probe on %q, want /readyz", c.ReadinessProbe.HTTPGet.Path)
	}
	dataDir := filepath.Dir(readDockerfile(t, "Dockerfile").env["PODCAST_DB"])
	mounted := false
	for _, m := range c.VolumeMounts {
		mounted = mounted || m.Name == s.Spec.VolumeClaimTemplates[0].Metadata.Name && m.MountPath == dataDir
	}
	if !mounted {
		t.Errorf("the claim is not mounted at the image's data directory %s", dataDir)
	}
	args := c.Args
	if len(args) == 0 || args[0] != "serve" {
		t.Fatalf("args %q: want serve first", c.Args)
	}
	if out, err := childCommand(t, os.Environ(), append(args, "--help")).Output(); err != nil {
		t.Errorf("the container's serve flags with --help: %v\n%s", err, out)
	}
}
