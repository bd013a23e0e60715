package record

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Options configure a Recorder.
type Options struct {
	// Namespace limits the recording to one namespace; "" records all.
	Namespace string
	// Prior is the log being appended to (see OpenLog), nil for a new one:
	// the recorder starts from the state it last recorded.
	Prior *entities.Log
	// Now is the clock that times each line (default time.Now).
	Now func() time.Time
	// Resync is the informers' resync period; 0 (the default) never
	// resyncs. A resync writes nothing unless the log is behind.
	Resync time.Duration
	// Ready, when set, is called once the start-up difference is written,
	// with the lines written so far.
	Ready func(Stats)
}

// Stats count the lines written.
type Stats struct {
	Adds, Deletes int
}

// Recorder watches pods and services and writes each change of the
// entities they describe as a line of an entity log.
type Recorder struct {
	client kubernetes.Interface
	w      io.Writer
	opts   Options

	mu     sync.Mutex
	st     *state
	stores map[entities.Kind]cache.Store
	ready  bool // the snapshot is written: events are changes now
	stats  Stats
	err    error
	cancel context.CancelFunc
}

// New makes a Recorder that writes to w. Each line is one Write call.
func New(client kubernetes.Interface, w io.Writer, opts Options) *Recorder {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Recorder{client: client, w: w, opts: opts, st: stateOf(opts.Prior)}
}

// Stats returns the lines written so far.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Run records until ctx is done, then returns nil; or returns the first
// error: the API server refused to list pods or services, or w failed.
func (r *Recorder) Run(ctx context.Context) error {
	if err := r.preflight(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	factory := informers.NewSharedInformerFactoryWithOptions(r.client, r.opts.Resync,
		informers.WithNamespace(r.opts.Namespace), informers.WithTransform(slim))
	defer factory.Shutdown() // after cancel: it waits for the informers to stop
	defer cancel()
	infs := map[entities.Kind]cache.SharedIndexInformer{
		entities.Pod:     factory.Core().V1().Pods().Informer(),
		entities.Service: factory.Core().V1().Services().Informer(),
	}
	r.stores = make(map[entities.Kind]cache.Store)
	for kind, inf := range infs {
		r.stores[kind] = inf.GetStore()
		if _, err := inf.AddEventHandler(r.handler(kind)); err != nil {
			return fmt.Errorf("watch %ss: %w", kind, err)
		}
	}
	factory.Start(ctx.Done())
	if cache.WaitForCacheSync(ctx.Done(), infs[entities.Pod].HasSynced, infs[entities.Service].HasSynced) {
		r.mu.Lock()
		r.fail(r.snapshot())
		r.ready = true
		stats, err := r.stats, r.err
		r.mu.Unlock()
		if r.opts.Ready != nil && err == nil {
			r.opts.Ready(stats)
		}
	}
	<-ctx.Done()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// preflight lists one pod and one service, so that a cluster that cannot
// be reached or does not allow it fails now rather than retrying forever.
func (r *Recorder) preflight(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	opts := metav1.ListOptions{Limit: 1}
	if _, err := r.client.CoreV1().Pods(r.opts.Namespace).List(ctx, opts); err != nil {
		return r.listError("pods", err)
	}
	if _, err := r.client.CoreV1().Services(r.opts.Namespace).List(ctx, opts); err != nil {
		return r.listError("services", err)
	}
	return nil
}

// preflightTimeout bounds the first requests: an unreachable API server
// should fail, not hang.
const preflightTimeout = 30 * time.Second

func (r *Recorder) listError(what string, err error) error {
	where := "in all namespaces"
	if r.opts.Namespace != "" {
		where = "in namespace " + r.opts.Namespace
	}
	hint := "check that the cluster is reachable and that this is the right kubeconfig context"
	if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
		hint = "record needs get, list and watch on pods and services"
	}
	return fmt.Errorf("list %s %s: %w (%s)", what, where, err, hint)
}

// fail keeps the first error and stops the run; r.mu is held.
func (r *Recorder) fail(err error) {
	if err != nil && r.err == nil {
		r.err = err
		r.cancel()
	}
}

// handler reconciles the object an informer event names. The object is
// read back from the informer's store, which is never older than the
// event: a late event cannot undo a newer state, and a relist or resync
// that changes nothing writes nothing.
func (r *Recorder) handler(kind entities.Kind) cache.ResourceEventHandler {
	on := func(obj any) {
		k, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
		if err != nil {
			return // not an object: nothing to record
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.ready && r.err == nil {
			r.fail(r.sync(kind, k, obj))
		}
	}
	return cache.ResourceEventHandlerFuncs{AddFunc: on, UpdateFunc: func(_, obj any) { on(obj) }, DeleteFunc: on}
}

// sync brings the log up to date on the object with store key sk; last is
// the object as the event carried it, for a deleted object's last state.
func (r *Recorder) sync(kind entities.Kind, sk string, last any) error {
	obj, exists, err := r.stores[kind].GetByKey(sk)
	if err != nil {
		return fmt.Errorf("read %s %s from the informer cache: %w", kind, sk, err)
	}
	if exists {
		want, live, _ := describe(obj)
		return r.reconcile(want.key(), want, live)
	}
	ns, name, _ := cache.SplitMetaNamespaceKey(sk)
	k := key{kind: kind, ns: ns, name: name}
	delete(r.st.lost, k)
	want, _, _ := describe(last)
	return r.reconcile(k, want, false)
}

// snapshot writes the difference between the log and the cluster once
// the informers have listed it: deletes for entities that are gone, then
// every object, services first, in key order.
func (r *Recorder) snapshot() error {
	for _, k := range r.st.keys() {
		if r.opts.Namespace != "" && k.ns != r.opts.Namespace {
			continue // not watched: another run recorded it
		}
		if _, exists, _ := r.stores[k.kind].GetByKey(storeKey(k)); !exists {
			if err := r.reconcile(k, rec{}, false); err != nil {
				return err
			}
		}
	}
	var ks []key
	for kind, st := range r.stores {
		for _, sk := range st.ListKeys() {
			ns, name, _ := cache.SplitMetaNamespaceKey(sk)
			ks = append(ks, key{kind: kind, ns: ns, name: name})
		}
	}
	slices.SortFunc(ks, compareKeys)
	for _, k := range ks {
		if err := r.sync(k.kind, storeKey(k), nil); err != nil {
			return err
		}
	}
	return nil
}

func storeKey(k key) string {
	if k.ns == "" {
		return k.name
	}
	return k.ns + "/" + k.name
}

// reconcile writes what moves the log from its state of k to want: for a
// changed entity a delete of the old then an add of the new, and before
// an add, a delete of any other pod holding one of its addresses (its
// object lags: the address was released and reused).
func (r *Recorder) reconcile(k key, want rec, live bool) error {
	if live && r.yields(k, &want) {
		live = false
	}
	have, had := r.st.live[k]
	if had && live && same(&have, &want) {
		return nil
	}
	if had {
		if err := r.emit("delete", closing(have, want)); err != nil {
			return err
		}
		r.st.remove(k)
	}
	if !live {
		return nil
	}
	if err := r.takeOver(k, &want); err != nil {
		return err
	}
	if err := r.emit("add", want); err != nil {
		return err
	}
	r.st.put(want)
	return nil
}

// yields reports whether a pod's object shows an address that is another
// pod's now: one it lost to that pod, or any a pod being deleted shares
// with a pod the log holds (the one being deleted released it).
func (r *Recorder) yields(k key, want *rec) bool {
	if !exclusive(want) {
		return false
	}
	if r.st.lost[k] == want.IP {
		return true
	}
	if want.Deleted == "" {
		return false
	}
	for _, a := range want.addrs() {
		if h, ok := r.st.holder[a]; ok && h != k {
			return true
		}
	}
	return false
}

// takeOver deletes the other pods that hold one of want's addresses.
func (r *Recorder) takeOver(k key, want *rec) error {
	if !exclusive(want) {
		return nil
	}
	for _, a := range want.addrs() {
		h, ok := r.st.holder[a]
		if !ok || h == k {
			continue
		}
		var cur rec
		if obj, ok, _ := r.stores[h.kind].GetByKey(storeKey(h)); ok {
			cur, _, _ = describe(obj)
		}
		if err := r.emit("delete", closing(r.st.live[h], cur)); err != nil {
			return err
		}
		r.st.lost[h] = r.st.live[h].IP
		r.st.remove(h)
	}
	return nil
}

// closing is the delete line of an entity as the log holds it (have):
// with the status and deletion time of its object now (cur; zero when
// the object is unknown).
func closing(have, cur rec) rec {
	if cur.Name != "" {
		have.Status, have.Deleted = cur.Status, cur.Deleted
	}
	return have
}

// line is one line of the log.
type line struct {
	TS string `json:"ts"`
	Op string `json:"op"`
	rec
}

// tsLayout is RFC 3339 with all nine digits, so lines line up.
const tsLayout = "2006-01-02T15:04:05.000000000Z07:00"

// emit writes one line with a single Write, so a reader following the
// file sees whole lines.
func (r *Recorder) emit(op string, e rec) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(line{TS: r.opts.Now().UTC().Format(tsLayout), Op: op, rec: e}); err != nil {
		return fmt.Errorf("encode %s %s/%s: %w", e.Kind, e.Namespace, e.Name, err)
	}
	if _, err := r.w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write the entity log: %w", err)
	}
	if op == "add" {
		r.stats.Adds++
	} else {
		r.stats.Deletes++
	}
	return nil
}
