package record

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// t0 is the scripted churn's start.
var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// clock is a settable clock: lines written after set(d) carry t0+d.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t0.Add(d)
}

// buffer is a bytes.Buffer safe for the recorder's writes and the test's
// reads.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// run starts a recorder; stop cancels it and returns what Run returned.
func run(t *testing.T, client kubernetes.Interface, w io.Writer, opts Options) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(client, w, opts).Run(ctx) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("the recorder did not stop within 30s of its context's end")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return stop
}

// waitLines waits until w holds at least n lines and returns them all.
func waitLines(t *testing.T, w *buffer, n int) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := lines(w.String())
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %d lines, have %d:\n%s", n, len(got), strings.Join(got, "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// wantLines compares whole logs line by line.
func wantLines(t *testing.T, step string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	for i := range max(len(got), len(want)) {
		g, w := "(none)", "(none)"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Fatalf("%s: line %d:\n got %s\nwant %s\nwhole log:\n%s", step, i+1, g, w, strings.Join(got, "\n"))
		}
	}
}

func at(d time.Duration) *metav1.Time {
	t := metav1.NewTime(t0.Add(d))
	return &t
}

// pod makes a running pod created and started an hour before t0 (pending
// when ip is ""); ips are further (dual-stack) addresses.
func pod(ns, name, ip string, labels map[string]string, ips ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels,
		CreationTimestamp: *at(-time.Hour)}}
	p.Status.Phase = corev1.PodPending
	if ip != "" {
		p.Status.Phase, p.Status.StartTime = corev1.PodRunning, at(-time.Hour+time.Second)
		setIP(p, ip, ips...)
	}
	return p
}

func setIP(p *corev1.Pod, ip string, ips ...string) {
	p.Status.PodIP = ip
	p.Status.PodIPs = nil
	for _, a := range append([]string{ip}, ips...) {
		p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: a})
	}
}

// owned sets a pod's controller.
func owned(p *corev1.Pod, kind, name string) *corev1.Pod {
	yes := true
	p.OwnerReferences = []metav1.OwnerReference{{Kind: kind, Name: name, Controller: &yes}}
	return p
}

func service(ns, name, ip string, selector map[string]string) *corev1.Service {
	s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, CreationTimestamp: *at(-time.Hour)}}
	s.Spec.ClusterIP, s.Spec.Selector = ip, selector
	if ip != "None" {
		s.Spec.ClusterIPs = []string{ip}
	}
	return s
}

// runToReady runs a recorder until it has written the start-up
// difference, stops it and returns what it wrote then.
func runToReady(t *testing.T, client kubernetes.Interface, w io.Writer, opts Options) Stats {
	t.Helper()
	ready := make(chan Stats, 1)
	opts.Ready = func(s Stats) { ready <- s }
	stop := run(t, client, w, opts)
	select {
	case s := <-ready:
		if err := stop(); err != nil {
			t.Fatalf("Run: %v", err)
		}
		return s
	case <-time.After(30 * time.Second):
		t.Fatalf("the recorder was not ready within 30s (Run: %v)", stop())
		return Stats{}
	}
}
