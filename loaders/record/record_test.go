package record

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// churnCluster is the cluster when the recorder starts: two services (one
// headless), a Deployment's pod, a dual-stack StatefulSet pod, a Job's
// pod, a pending pod without an address, a pod that already ran to
// completion and a host-network DaemonSet pod.
func churnCluster() *fake.Clientset {
	done := owned(pod("default", "report-29400000-b7x2k", "10.244.0.3", nil), "Job", "report-29400000")
	done.Status.Phase = corev1.PodSucceeded
	proxy := owned(pod("kube-system", "kube-proxy-q9w7z", "192.168.1.10", map[string]string{"k8s-app": "kube-proxy"}), "DaemonSet", "kube-proxy")
	proxy.Spec.HostNetwork = true
	return fake.NewClientset(
		service("default", "catalogue", "10.96.0.10", map[string]string{"name": "catalogue"}),
		service("default", "db", "None", map[string]string{"name": "db"}),
		owned(pod("default", "catalogue-6d8f9c7b5-x7k2p", "10.244.0.5", map[string]string{"name": "catalogue", "pod-template-hash": "6d8f9c7b5"}), "ReplicaSet", "catalogue-6d8f9c7b5"),
		owned(pod("default", "db-0", "10.244.0.9", map[string]string{"name": "db"}, "fd00::9"), "StatefulSet", "db"),
		owned(pod("default", "backup-8c2z4", "10.244.0.8", map[string]string{"name": "backup"}), "Job", "backup"),
		owned(pod("default", "orders-0", "", map[string]string{"name": "orders"}), "StatefulSet", "orders"),
		done, proxy,
	)
}

// churnSnapshot is what the recorder writes first on churnCluster.
var churnSnapshot = []string{
	`{"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"service","name":"catalogue","namespace":"default","ip":"10.96.0.10","labels":{"name":"catalogue"},"created":"2026-11-24T11:00:00Z"}`,
	`{"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"service","name":"db","namespace":"default","ip":"","labels":{"name":"db"},"created":"2026-11-24T11:00:00Z"}`,
	`{"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"pod","name":"backup-8c2z4","namespace":"default","ip":"10.244.0.8","labels":{"name":"backup"},"controller":"backup","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
	`{"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"pod","name":"catalogue-6d8f9c7b5-x7k2p","namespace":"default","ip":"10.244.0.5","labels":{"name":"catalogue","pod-template-hash":"6d8f9c7b5"},"controller":"catalogue","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
	`{"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"pod","name":"db-0","namespace":"default","ip":"10.244.0.9","ips":["10.244.0.9","fd00::9"],"labels":{"name":"db"},"controller":"db","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
	`{"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"pod","name":"kube-proxy-q9w7z","namespace":"kube-system","ip":"192.168.1.10","labels":{"k8s-app":"kube-proxy"},"controller":"kube-proxy","host_network":true,"status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
}

// churnStep is one change to the cluster and the lines it must write.
type churnStep struct {
	name string
	at   time.Duration // the clock when the recorder sees it
	do   func(ctx context.Context, t *testing.T, cs *fake.Clientset, pods *flaky)
	want []string
}

func getPod(ctx context.Context, t *testing.T, cs *fake.Clientset, name string) *corev1.Pod {
	t.Helper()
	p, err := cs.CoreV1().Pods("default").Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func updatePod(ctx context.Context, t *testing.T, cs *fake.Clientset, p *corev1.Pod) {
	t.Helper()
	if _, err := cs.CoreV1().Pods(p.Namespace).Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func createPod(ctx context.Context, t *testing.T, cs *fake.Clientset, p *corev1.Pod) {
	t.Helper()
	if _, err := cs.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func deletePod(ctx context.Context, t *testing.T, cs *fake.Clientset, name string) {
	t.Helper()
	if err := cs.CoreV1().Pods("default").Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// churnSteps change churnCluster one thing at a time.
var churnSteps = []churnStep{
	{"a pending pod gets its address", 10 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		p := getPod(ctx, t, cs, "orders-0")
		p.Status.Phase, p.Status.StartTime = corev1.PodRunning, at(9*time.Second)
		setIP(p, "10.244.0.6")
		updatePod(ctx, t, cs, p)
	}, []string{
		`{"ts":"2026-11-24T12:00:10.000000000Z","op":"add","kind":"pod","name":"orders-0","namespace":"default","ip":"10.244.0.6","labels":{"name":"orders"},"controller":"orders","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T12:00:09Z"}`,
	}},
	{"a pod's address changes", 20 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		p := getPod(ctx, t, cs, "catalogue-6d8f9c7b5-x7k2p")
		setIP(p, "10.244.0.7")
		updatePod(ctx, t, cs, p)
	}, []string{
		`{"ts":"2026-11-24T12:00:20.000000000Z","op":"delete","kind":"pod","name":"catalogue-6d8f9c7b5-x7k2p","namespace":"default","ip":"10.244.0.5","labels":{"name":"catalogue","pod-template-hash":"6d8f9c7b5"},"controller":"catalogue","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
		`{"ts":"2026-11-24T12:00:20.000000000Z","op":"add","kind":"pod","name":"catalogue-6d8f9c7b5-x7k2p","namespace":"default","ip":"10.244.0.7","labels":{"name":"catalogue","pod-template-hash":"6d8f9c7b5"},"controller":"catalogue","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
	}},
	{"a pod is deleted", 30 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		p := getPod(ctx, t, cs, "orders-0")
		p.DeletionTimestamp = at(29 * time.Second) // terminating: still live
		updatePod(ctx, t, cs, p)
		deletePod(ctx, t, cs, "orders-0")
	}, []string{
		`{"ts":"2026-11-24T12:00:30.000000000Z","op":"delete","kind":"pod","name":"orders-0","namespace":"default","ip":"10.244.0.6","labels":{"name":"orders"},"controller":"orders","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T12:00:09Z","deleted":"2026-11-24T12:00:29Z"}`,
	}},
	{"a new pod reuses the address", 40 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		p := owned(pod("default", "front-end-7f9c6d5b8-m2n4q", "10.244.0.6", map[string]string{"name": "front-end", "pod-template-hash": "7f9c6d5b8"}), "ReplicaSet", "front-end-7f9c6d5b8")
		p.CreationTimestamp, p.Status.StartTime = *at(38 * time.Second), at(39*time.Second)
		createPod(ctx, t, cs, p)
	}, []string{
		`{"ts":"2026-11-24T12:00:40.000000000Z","op":"add","kind":"pod","name":"front-end-7f9c6d5b8-m2n4q","namespace":"default","ip":"10.244.0.6","labels":{"name":"front-end","pod-template-hash":"7f9c6d5b8"},"controller":"front-end","status":"Running","created":"2026-11-24T12:00:38Z","started":"2026-11-24T12:00:39Z"}`,
	}},
	{"a service is added", 50 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		s := service("default", "carts", "10.96.0.20", map[string]string{"name": "carts"})
		s.CreationTimestamp = *at(49 * time.Second)
		if _, err := cs.CoreV1().Services("default").Create(ctx, s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}, []string{
		`{"ts":"2026-11-24T12:00:50.000000000Z","op":"add","kind":"service","name":"carts","namespace":"default","ip":"10.96.0.20","labels":{"name":"carts"},"created":"2026-11-24T12:00:49Z"}`,
	}},
	{"a service is deleted", 60 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		if err := cs.CoreV1().Services("default").Delete(ctx, "carts", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}, []string{
		`{"ts":"2026-11-24T12:01:00.000000000Z","op":"delete","kind":"service","name":"carts","namespace":"default","ip":"10.96.0.20","labels":{"name":"carts"},"created":"2026-11-24T12:00:49Z"}`,
	}},
	{"a Job's pod completes and releases its address", 70 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		p := getPod(ctx, t, cs, "backup-8c2z4")
		p.Status.Phase = corev1.PodSucceeded
		updatePod(ctx, t, cs, p)
	}, []string{
		`{"ts":"2026-11-24T12:01:10.000000000Z","op":"delete","kind":"pod","name":"backup-8c2z4","namespace":"default","ip":"10.244.0.8","labels":{"name":"backup"},"controller":"backup","status":"Succeeded","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
	}},
	{"a new pod takes a terminating pod's address", 80 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		old := getPod(ctx, t, cs, "catalogue-6d8f9c7b5-x7k2p")
		old.DeletionTimestamp = at(79 * time.Second)
		updatePod(ctx, t, cs, old)
		p := owned(pod("default", "catalogue-6d8f9c7b5-z9w8v", "10.244.0.7", map[string]string{"name": "catalogue", "pod-template-hash": "6d8f9c7b5"}), "ReplicaSet", "catalogue-6d8f9c7b5")
		p.CreationTimestamp, p.Status.StartTime = *at(78 * time.Second), at(79*time.Second)
		createPod(ctx, t, cs, p)
	}, []string{
		`{"ts":"2026-11-24T12:01:20.000000000Z","op":"delete","kind":"pod","name":"catalogue-6d8f9c7b5-x7k2p","namespace":"default","ip":"10.244.0.7","labels":{"name":"catalogue","pod-template-hash":"6d8f9c7b5"},"controller":"catalogue","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z","deleted":"2026-11-24T12:01:19Z"}`,
		`{"ts":"2026-11-24T12:01:20.000000000Z","op":"add","kind":"pod","name":"catalogue-6d8f9c7b5-z9w8v","namespace":"default","ip":"10.244.0.7","labels":{"name":"catalogue","pod-template-hash":"6d8f9c7b5"},"controller":"catalogue","status":"Running","created":"2026-11-24T12:01:18Z","started":"2026-11-24T12:01:19Z"}`,
	}},
	{"status updates write nothing, nor a pod that lost its address (a new pod marks the point)", 90 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		// The terminating pod's object still shows the address it lost.
		old := getPod(ctx, t, cs, "catalogue-6d8f9c7b5-x7k2p")
		old.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}
		updatePod(ctx, t, cs, old)
		db := getPod(ctx, t, cs, "db-0")
		db.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		updatePod(ctx, t, cs, db)
		// A pod's events arrive in order: this one's line shows that the
		// recorder has seen the changes above and written nothing for them.
		createPod(ctx, t, cs, pod("default", "marker", "10.244.0.12", nil))
	}, []string{
		`{"ts":"2026-11-24T12:01:30.000000000Z","op":"add","kind":"pod","name":"marker","namespace":"default","ip":"10.244.0.12","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
	}},
	{"the deletion of a pod that lost its address writes nothing (a new pod marks the point)", 95 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		deletePod(ctx, t, cs, "catalogue-6d8f9c7b5-x7k2p")
		createPod(ctx, t, cs, pod("default", "marker-2", "10.244.0.13", nil))
	}, []string{
		`{"ts":"2026-11-24T12:01:35.000000000Z","op":"add","kind":"pod","name":"marker-2","namespace":"default","ip":"10.244.0.13","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
	}},
	{"a reconnect: the watch expires while changes are missed, the relist writes only them", 100 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, pods *flaky) {
		pods.deafen()
		deletePod(ctx, t, cs, "front-end-7f9c6d5b8-m2n4q")
		p := owned(pod("default", "payment-5b6c7d8f9-k4j5h", "10.244.0.11", map[string]string{"name": "payment", "pod-template-hash": "5b6c7d8f9"}), "ReplicaSet", "payment-5b6c7d8f9")
		p.CreationTimestamp, p.Status.StartTime = *at(95 * time.Second), at(96*time.Second)
		createPod(ctx, t, cs, p)
		pods.expire()
	}, []string{
		`{"ts":"2026-11-24T12:01:40.000000000Z","op":"delete","kind":"pod","name":"front-end-7f9c6d5b8-m2n4q","namespace":"default","ip":"10.244.0.6","labels":{"name":"front-end","pod-template-hash":"7f9c6d5b8"},"controller":"front-end","status":"Running","created":"2026-11-24T12:00:38Z","started":"2026-11-24T12:00:39Z"}`,
		`{"ts":"2026-11-24T12:01:40.000000000Z","op":"add","kind":"pod","name":"payment-5b6c7d8f9-k4j5h","namespace":"default","ip":"10.244.0.11","labels":{"name":"payment","pod-template-hash":"5b6c7d8f9"},"controller":"payment","status":"Running","created":"2026-11-24T12:01:35Z","started":"2026-11-24T12:01:36Z"}`,
	}},
	{"a service's selector changes", 110 * time.Second, func(ctx context.Context, t *testing.T, cs *fake.Clientset, _ *flaky) {
		s, err := cs.CoreV1().Services("default").Get(ctx, "db", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s.Spec.Selector = map[string]string{"name": "db", "tier": "storage"}
		if _, err := cs.CoreV1().Services("default").Update(ctx, s, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}, []string{
		`{"ts":"2026-11-24T12:01:50.000000000Z","op":"delete","kind":"service","name":"db","namespace":"default","ip":"","labels":{"name":"db"},"created":"2026-11-24T11:00:00Z"}`,
		`{"ts":"2026-11-24T12:01:50.000000000Z","op":"add","kind":"service","name":"db","namespace":"default","ip":"","labels":{"name":"db","tier":"storage"},"created":"2026-11-24T11:00:00Z"}`,
	}},
}

// TestRecordChurn drives a fake cluster through churnSteps and checks the
// log line by line after each step, then that the timeline built from it
// names the right pod for each address at each time.
func TestRecordChurn(t *testing.T) {
	cs := churnCluster()
	pods := newFlaky(cs, "pods")
	clk := &clock{t: t0}
	out := &buffer{}
	stop := run(t, cs, out, Options{Now: clk.now})
	want := churnSnapshot
	wantLines(t, "snapshot", waitLines(t, out, len(want)), want)
	ctx := context.Background()
	for _, s := range churnSteps {
		clk.set(s.at)
		s.do(ctx, t, cs, pods)
		want = append(want, s.want...)
		wantLines(t, s.name, waitLines(t, out, len(want)), want)
	}
	// The reconnect's changes came from the relist, not from the watch.
	if n := pods.dropped.Load(); n != 2 {
		t.Errorf("the lost watch dropped %d events, want 2 (a delete and a create)", n)
	}
	if n := pods.opened.Load(); n != 2 {
		t.Errorf("pods were watched %d times, want 2: once from the start, once after the relist", n)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run returned %v after its context ended, want nil", err)
	}
	wantLines(t, "after stopping", lines(out.String()), want)
	checkChurnTimeline(t, out.String())
}

// TestRecordTerminatingPodYields: at start-up, a terminating pod whose
// object still shows the address a new pod now has does not take it
// back, whichever of the two comes first.
func TestRecordTerminatingPodYields(t *testing.T) {
	for _, names := range [][2]string{{"a-new", "b-old"}, {"b-new", "a-old"}} {
		old := pod("default", names[1], "10.244.0.7", nil)
		old.DeletionTimestamp = at(-time.Second)
		cs := fake.NewClientset(pod("default", names[0], "10.244.0.7", nil), old)
		out := &buffer{}
		runToReady(t, cs, out, Options{Now: (&clock{t: t0}).now})
		want := []string{
			`{"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"pod","name":"` + names[0] + `","namespace":"default","ip":"10.244.0.7","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
		}
		if names[1] < names[0] { // the old pod is seen first: the new one takes over
			want = []string{
				`{"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"pod","name":"a-old","namespace":"default","ip":"10.244.0.7","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z","deleted":"2026-11-24T11:59:59Z"}`,
				`{"ts":"2026-11-24T12:00:00.000000000Z","op":"delete","kind":"pod","name":"a-old","namespace":"default","ip":"10.244.0.7","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z","deleted":"2026-11-24T11:59:59Z"}`,
				want[0],
			}
		}
		wantLines(t, names[0]+" and "+names[1], lines(out.String()), want)
	}
}
