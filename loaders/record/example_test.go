package record_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/record"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// A recorder on a (fake) cluster with a service and its pod writes the
// current state, then each change; here it stops once the state is
// written. The CLI passes a clientset from the kubeconfig, a file from
// OpenLog and time.Now.
func Example() {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "shop-db-0", Namespace: "shop", Labels: map[string]string{"app": "shop-db"}}}
	pod.Status.Phase, pod.Status.PodIP = corev1.PodRunning, "10.244.0.9"
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "shop-db", Namespace: "shop"}}
	svc.Spec.ClusterIP, svc.Spec.Selector = "10.96.143.8", map[string]string{"app": "shop-db"}
	client := fake.NewClientset(pod, svc)

	ctx, stop := context.WithCancel(context.Background())
	r := record.New(client, os.Stdout, record.Options{
		Now:   func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) },
		Ready: func(record.Stats) { stop() },
	})
	if err := r.Run(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", r.Stats())
	// Output:
	// {"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"service","name":"shop-db","namespace":"shop","ip":"10.96.143.8","labels":{"app":"shop-db"}}
	// {"ts":"2026-11-24T12:00:00.000000000Z","op":"add","kind":"pod","name":"shop-db-0","namespace":"shop","ip":"10.244.0.9","labels":{"app":"shop-db"},"status":"Running"}
	// {Adds:2 Deletes:0}
}
