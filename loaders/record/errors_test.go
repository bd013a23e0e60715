package record

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// TestRecordUnreachable: other list errors point at the connection.
func TestRecordUnreachable(t *testing.T) {
	cs := fake.NewClientset()
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("dial tcp 10.0.0.1:6443: connect: connection refused")
	})
	err := New(cs, &buffer{}, Options{}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "connection refused (check that the cluster is reachable") {
		t.Errorf("error %v, want the connection error and a hint", err)
	}
}

// TestRecordForbidden: a cluster that does not let record list fails at
// once, saying what record needs, rather than retrying forever.
func TestRecordForbidden(t *testing.T) {
	for _, tc := range []struct{ resource, ns, want string }{
		{"pods", "", "list pods in all namespaces"},
		{"services", "shop", "list services in namespace shop"},
	} {
		cs := fake.NewClientset()
		cs.PrependReactor("list", tc.resource, func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: tc.resource}, "", errors.New("RBAC"))
		})
		err := New(cs, &buffer{}, Options{Namespace: tc.ns}).Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "needs get, list and watch") || !apierrors.IsForbidden(err) {
			t.Errorf("%s: error %v, want a wrapped Forbidden that says %q and what record needs", tc.resource, err, tc.want)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestRecordWriteError: a failing write ends Run with the error, without
// waiting for its context.
func TestRecordWriteError(t *testing.T) {
	done := make(chan error, 1)
	go func() { done <- New(churnCluster(), failingWriter{}, Options{}).Run(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "write the entity log: no space left on device") {
			t.Errorf("Run: %v, want the write error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30s of a failed write")
	}
}
