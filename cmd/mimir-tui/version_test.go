package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/testdata/shared"
)

// TestVersionText formats fake build information.
func TestVersionText(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "9d9f669d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7"},
		{Key: "vcs.time", Value: "2025-12-01T23:01:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	clean := append(vcs[:len(vcs)-1:len(vcs)-1], debug.BuildSetting{Key: "vcs.modified", Value: "false"})
	for _, c := range []struct {
		name     string
		override string
		bi       *debug.BuildInfo
		want     string
	}{
		{"stamped, dirty", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20251201230100-9d9f669d0e1f+dirty"}, Settings: vcs},
			"mimir-tui v0.0.0-20251201230100-9d9f669d0e1f+dirty\ncommit 9d9f669d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7+dirty (2025-12-01T23:01:00Z)\nbuilt with go1.26.8 for linux/arm64\n"},
		{"clean, -ldflags version", "v1.2.3", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20251201230100-9d9f669d0e1f"}, Settings: clean},
			"mimir-tui v1.2.3\ncommit 9d9f669d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7 (2025-12-01T23:01:00Z)\nbuilt with go1.26.8 for linux/arm64\n"},
		{"no VCS (go test, -buildvcs=false)", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"mimir-tui devel\ncommit unknown (built without version control information)\nbuilt with go1.26.8\n"},
		{"go install module@v1.0.0", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.0.0"}},
			"mimir-tui v1.0.0\ncommit unknown (built without version control information)\nbuilt with go1.26.8\n"},
		{"no build information", "", nil,
			"mimir-tui devel\ncommit unknown (built without version control information)\nbuilt with " + runtime.Version() + "\n"},
	} {
		if got := versionText(c.override, c.bi); got != c.want {
			t.Errorf("%s:\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}

// TestVersionBinary builds the program with go build from a fresh git
// repository holding this module's sources, with a known commit time and
// an uncommitted file, and checks that --version and version show the
// commit, the dirty marker, the time and the Go version; and that -ldflags
// -X main.version overrides the version. (It builds from a copy because
// the go command records nothing in a git worktree, whose .git is a file.)
func TestVersionBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary twice")
	}
	git := shared.Tool(t, "git")
	repo := t.TempDir()
	copyModule(t, repo)
	env := append(os.Environ(), "GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	gitRun := func(args ...string) string {
		cmd := exec.Command(git, append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com"}, args...)...)
		cmd.Dir, cmd.Env = repo, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitRun("init", "-q")
	gitRun("add", "-A")
	gitRun("commit", "-q", "-m", "test")
	rev := gitRun("rev-parse", "HEAD")
	if err := os.WriteFile(filepath.Join(repo, "uncommitted.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(repo, "cmd", "mimir-tui")
	commit := "commit " + rev + "+dirty (2024-01-02T03:04:05Z)\nbuilt with " + runtime.Version() + " for " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-buildvcs=true"}, "mimir-tui v0.0.0-20240102030405-" + rev[:12] + "+dirty\n" + commit},
		{[]string{"-buildvcs=true", "-ldflags=-X main.version=v9.9.9"}, "mimir-tui v9.9.9\n" + commit},
	} {
		bin := filepath.Join(t.TempDir(), "mimir-tui")
		if err := goBuild(dir, bin, c.flags...); err != nil {
			t.Fatal(err)
		}
		for _, arg := range []string{"--version", "version"} {
			out, err := exec.Command(bin, arg).Output()
			if err != nil || string(out) != c.want {
				t.Errorf("go build %v; mimir-tui %s: %v\n%s\nwant\n%s", c.flags, arg, err, out, c.want)
			}
		}
	}
}

// copyModule copies what building this command needs (go.mod, go.sum and
// the Go and embedded files of the module's packages it imports) to dst.
func copyModule(t *testing.T, dst string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f",
		`{{if and .Module .Module.Main}}{{.Dir}}{{range .GoFiles}} {{.}}{{end}}{{range .EmbedFiles}} {{.}}{{end}}{{end}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum")}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, name := range f[1:] {
			files = append(files, filepath.Join(f[0], name))
		}
	}
	for _, src := range files {
		rel, err := filepath.Rel(root, src)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Fatalf("%s is outside the module at %s", src, root)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
