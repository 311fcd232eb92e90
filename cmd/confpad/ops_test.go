package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confpad/confpad/internal/testsink"
	"github.com/confpad/confpad/internal/tmpfs"
)

// captureStderr makes serve write to a buffer for the rest of the test.
func captureStderr(t *testing.T) *testsink.Buffer {
	b := &testsink.Buffer{}
	old := stderr
	stderr = b
	t.Cleanup(func() { stderr = old })
	return b
}

// status returns the HTTP status of a request to url.
func status(t *testing.T, method, url string, header ...string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestGeneratedTokenOnlyOnTerminal: without --admin-token, serve shows the
// token it made once, as plain text, and never in a structured log line;
// the token shown works.
func TestGeneratedTokenOnlyOnTerminal(t *testing.T) {
	out := captureStderr(t)
	addr, stop := startServe(t, "--data", t.TempDir(), "--admin-token=", "--log-format=json", "--log-level=info")
	defer stop()
	var token string
	for line := range strings.Lines(out.String()) {
		if f := strings.Fields(line); len(f) == 1 && !strings.HasPrefix(f[0], "{") {
			token = f[0]
		}
	}
	if token == "" {
		t.Fatalf("no token shown:\n%s", out)
	}
	if n := strings.Count(out.String(), token); n != 1 {
		t.Errorf("the token appears %d times", n)
	}
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "{") && strings.Contains(line, token) {
			t.Errorf("a log line has the token: %s", line)
		}
	}
	if got := status(t, "DELETE", "http://"+addr+"/api/v1/pads/nope", "Authorization", "Bearer "+token); got != http.StatusNotFound {
		t.Errorf("DELETE with the shown token: %d, want 404", got)
	}
}

// TestVersionEverywhere: /healthz and /metrics carry the version that
// confpad version prints.
func TestVersionEverywhere(t *testing.T) {
	addr, stop := startServe(t, "--data", t.TempDir())
	defer stop()
	var health struct{ Version string }
	if err := json.Unmarshal(get(t, "http://"+addr+"/healthz"), &health); err != nil {
		t.Fatal(err)
	}
	if health.Version == "" || health.Version != buildVersion() {
		t.Errorf("healthz version %q, want %q", health.Version, buildVersion())
	}
	if m := string(get(t, "http://"+addr+"/metrics")); !strings.Contains(m, fmt.Sprintf("confpad_build_info{version=%q} 1", buildVersion())) {
		t.Error("metrics lack confpad_build_info with the version")
	}
}

// TestMetricsOnAnotherAddress: --metrics host:port moves /metrics there.
func TestMetricsOnAnotherAddress(t *testing.T) {
	side := freeAddr(t)
	addr, stop := startServe(t, "--data", t.TempDir(), "--metrics", side)
	defer stop()
	if got := status(t, "GET", "http://"+addr+"/metrics"); got != http.StatusNotFound {
		t.Errorf("/metrics on the main address: %d, want 404", got)
	}
	if !strings.Contains(string(get(t, "http://"+side+"/metrics")), "confpad_websocket_connections") {
		t.Error("no metrics on the metrics address")
	}
}

// TestReadyzFollowsTheDisk fills the data directory's disk under a running
// server: /readyz fails while writes fail, the failure is logged once with
// its cause however often /readyz asks, and both recover once there is
// room again.
func TestReadyzFollowsTheDisk(t *testing.T) {
	data := tmpfs.Mount(t, 4<<20)
	out := captureStderr(t)
	addr, stop := startServe(t, "--data", data, "--log-level=info", "--access-log=off")
	defer stop()
	writeNote(t, addr, "tracing", "before the disk filled")
	if got := status(t, "GET", "http://"+addr+"/readyz"); got != http.StatusOK {
		t.Fatalf("readyz with room: %d", got)
	}
	filler := filepath.Join(data, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 64<<10)
	for {
		if _, err := f.Write(block); err != nil {
			break
		}
	}
	f.Close()
	for range 3 {
		if got := status(t, "GET", "http://"+addr+"/readyz"); got != http.StatusServiceUnavailable {
			t.Fatalf("readyz on a full disk: %d, want 503", got)
		}
	}
	if n := strings.Count(out.String(), "writes are failing"); n != 1 {
		t.Errorf("the failure is logged %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out.String(), "full") {
		t.Errorf("the log does not say the disk is full:\n%s", out)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if got := status(t, "GET", "http://"+addr+"/readyz"); got != http.StatusOK {
		t.Errorf("readyz after freeing the disk: %d", got)
	}
	if !strings.Contains(out.String(), "writes succeed again") {
		t.Errorf("the recovery is not logged:\n%s", out)
	}
}

// TestReadyzReadOnlyAtStart starts on a copy of a database taken while a
// server ran (with its -wal and -shm), on a disk mounted read-only: the
// server starts for readers but is not ready, and says why.
func TestReadyzReadOnlyAtStart(t *testing.T) {
	live := tmpfs.Mount(t, 16<<20)
	addr, stop := startServe(t, "--data", live)
	writeNote(t, addr, "tracing", "kept")
	left := tmpfs.Mount(t, 16<<20)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(filepath.Join(live, "confpad.db"+suffix))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(left, "confpad.db"+suffix), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	tmpfs.ReadOnly(t, left)
	out := captureStderr(t)
	addr, stop = startServe(t, "--data", left, "--log-level=info")
	defer stop()
	if got := status(t, "GET", "http://"+addr+"/readyz"); got != http.StatusServiceUnavailable {
		t.Fatalf("readyz on a read-only database: %d, want 503", got)
	}
	if !strings.Contains(out.String(), "writes are failing") || !strings.Contains(out.String(), "readonly") {
		t.Errorf("the start does not log the read-only database:\n%s", out)
	}
	if got := getText(t, addr, "tracing"); got != "kept" {
		t.Errorf("readers get %q", got)
	}
}

// TestDataDirNotWritable: a data directory the server may not write (a
// host folder owned by someone else) stops serve with the fix.
func TestDataDirNotWritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere: run as a normal user to test permissions")
	}
	data := t.TempDir()
	if err := os.Chmod(data, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(data, 0o755) })
	err := run(t.Context(), []string{"--addr", freeAddr(t), "--data", data}, noEnv)
	if err == nil || !strings.Contains(err.Error(), "not writable by this process") || !strings.Contains(err.Error(), "chown") {
		t.Fatalf("serve on an unwritable directory: %v", err)
	}
}

func TestVersionCommand(t *testing.T) {
	old := version
	version = "v1.2.3-test"
	t.Cleanup(func() { version = old })
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	err = run(t.Context(), []string{"version"}, noEnv)
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if err != nil || !strings.HasPrefix(string(out), "confpad v1.2.3-test (go") {
		t.Fatalf("confpad version: %q, %v", out, err)
	}
	if err := run(t.Context(), []string{"version", "extra"}, noEnv); err == nil {
		t.Error("confpad version takes no arguments")
	}
}
