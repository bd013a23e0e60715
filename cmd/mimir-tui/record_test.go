package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// syncBuffer is stderr written by the recorder's goroutine and read by
// the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRecordFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "say where to write the entity log"},
		{[]string{"-o", "x.jsonl", "-n", "shop", "-A"}, "-n shop and -A: give one of them"},
		{[]string{"-o", "x.jsonl", "extra"}, "got 1 arguments, want 0"},
	}
	for _, tc := range tests {
		err := runRecord(context.Background(), tc.args, &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want a usage error saying %q", tc.args, err, tc.want)
		}
	}
}

// fakeCluster makes newClient return a fake cluster with a service and
// its pod, for the test's duration.
func fakeCluster(t *testing.T) *fake.Clientset {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "shop-db-0", Namespace: "shop", Labels: map[string]string{"app": "shop-db"}}}
	pod.Status.Phase, pod.Status.PodIP = corev1.PodRunning, "10.244.0.9"
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "shop-db", Namespace: "shop"}}
	svc.Spec.ClusterIP, svc.Spec.Selector = "10.96.143.8", map[string]string{"app": "shop-db"}
	client := fake.NewClientset(pod, svc)
	orig := newClient
	newClient = func(string, string) (kubernetes.Interface, string, error) { return client, "https://fake:6443", nil }
	t.Cleanup(func() { newClient = orig })
	return client
}

// recordUntilReady runs the command until it says it is recording, then
// stops it as Ctrl-C would, and returns its standard error.
func recordUntilReady(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- runRecord(ctx, args, &bytes.Buffer{}, stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "Ctrl-C stops") {
		if time.Now().After(deadline) {
			t.Fatalf("not recording after 30s; stderr:\n%s", stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("record stopped with %v, want nil (exit 0)", err)
	}
	return stderr.String()
}

func TestRecordCommand(t *testing.T) {
	fakeCluster(t)
	path := filepath.Join(t.TempDir(), "entities.jsonl")
	got := recordUntilReady(t, "-o", path)
	want := "record: recording pods and services in all namespaces of https://fake:6443 to " + path + " (2 lines to catch up); Ctrl-C stops\n" +
		"record: wrote 2 events (2 adds, 0 deletes) to " + path + "\n"
	if got != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
	}
	l, err := entities.Load(path)
	if err != nil || len(l.Events) != 2 {
		t.Fatalf("the log: %v events, error %v; want 2 events", l, err)
	}
	// Run again: the log is continued, and nothing changed.
	got = recordUntilReady(t, "-o", path, "-n", "shop")
	if !strings.Contains(got, "in namespace shop of") || !strings.HasSuffix(got, "record: wrote 0 events (0 adds, 0 deletes) to "+path+"\n") {
		t.Errorf("second run's stderr:\n%s", got)
	}
}

// TestRecordOneLine: one entity to catch up is "1 line", one event
// written "1 event (1 add, 0 deletes)" (before: "1 lines", "1 events").
func TestRecordOneLine(t *testing.T) {
	client := fakeCluster(t)
	if err := client.CoreV1().Services("shop").Delete(context.Background(), "shop-db", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "entities.jsonl")
	got := recordUntilReady(t, "-o", path)
	want := "record: recording pods and services in all namespaces of https://fake:6443 to " + path + " (1 line to catch up); Ctrl-C stops\n" +
		"record: wrote 1 event (1 add, 0 deletes) to " + path + "\n"
	if got != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
	}
}

func TestRecordRefusesOtherFiles(t *testing.T) {
	fakeCluster(t)
	path := filepath.Join(t.TempDir(), "capture.pcap")
	data := []byte("\xd4\xc3\xb2\xa1 not an entity log")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	err := runRecord(context.Background(), []string{"-o", path}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "never overwrites a file: choose another -o") {
		t.Fatalf("error %v, want a refusal", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Error("the refused file changed")
	}
}

// TestRecordFailureLeavesNoFile: a run that cannot list the cluster
// leaves no empty log behind, and no summary.
func TestRecordFailureLeavesNoFile(t *testing.T) {
	cs := fakeCluster(t)
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("connection refused")
	})
	path := filepath.Join(t.TempDir(), "entities.jsonl")
	var stderr bytes.Buffer
	err := runRecord(context.Background(), []string{"-o", path}, &bytes.Buffer{}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "list pods in all namespaces: connection refused") {
		t.Fatalf("error %v, want the list error", err)
	}
	if _, serr := os.Stat(path); !errors.Is(serr, fs.ErrNotExist) {
		t.Errorf("the failed run left %s behind (%v)", path, serr)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr %q, want nothing (the error is printed by main)", stderr.String())
	}
}

// TestRecordKubeconfig: the cluster is found as kubectl finds it.
func TestRecordKubeconfig(t *testing.T) {
	const cfg = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: "https://a.example:6443"}
- name: b
  cluster: {server: "https://b.example:6443"}
users:
- name: u
  user: {token: "t"}
contexts:
- name: ctx-a
  context: {cluster: a, user: u}
- name: ctx-b
  context: {cluster: b, user: u}
current-context: ctx-a
`
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBERNETES_SERVICE_HOST", "") // not in a pod
	t.Setenv("HOME", t.TempDir())           // no ~/.kube/config
	tests := []struct {
		env, kubeconfig, context, want string
	}{
		{"", path, "", "https://a.example:6443"},
		{"", path, "ctx-b", "https://b.example:6443"},
		{path, "", "", "https://a.example:6443"},
		{path, "", "ctx-b", "https://b.example:6443"},
		{"", path, "ctx-c", `find the cluster: context "ctx-c" does not exist`},
		{"", "", "", "find the cluster: invalid configuration: no configuration has been provided"},
	}
	for _, tc := range tests {
		t.Setenv("KUBECONFIG", tc.env)
		_, host, err := newClient(tc.kubeconfig, tc.context)
		if err != nil {
			host = err.Error()
		}
		if !strings.HasPrefix(host, tc.want) {
			t.Errorf("KUBECONFIG=%q --kubeconfig %q --context %q: %s, want %s", tc.env, tc.kubeconfig, tc.context, host, tc.want)
		}
	}
}
