package record

import (
	"sync"
	"sync/atomic"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// flaky puts itself between a fake clientset's watches of one resource
// and the informer, to play a lost connection: deaf drops the events
// (the changes the recorder misses while disconnected) and expire ends
// every watch with 410 Gone, as an API server does when the informer
// comes back too late, so the informer relists.
type flaky struct {
	mu      sync.Mutex
	proxies []*proxy // the open watches
	dropped atomic.Int64
	opened  atomic.Int64
}

func newFlaky(cs *fake.Clientset, resource string) *flaky {
	f := &flaky{}
	cs.PrependWatchReactor(resource, func(a k8stesting.Action) (bool, watch.Interface, error) {
		wa := a.(k8stesting.WatchActionImpl)
		w, err := cs.Tracker().Watch(a.GetResource(), a.GetNamespace(), wa.ListOptions)
		if err != nil {
			return true, nil, err
		}
		p := &proxy{in: w, out: make(chan watch.Event), expired: make(chan struct{}), done: make(chan struct{}), f: f}
		f.opened.Add(1)
		f.mu.Lock()
		f.proxies = append(f.proxies, p)
		f.mu.Unlock()
		go p.forward()
		return true, p, nil
	})
	return f
}

// deafen makes the open watches drop their events until they expire;
// the watches opened after that hear again.
func (f *flaky) deafen() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.proxies {
		p.deaf.Store(true)
	}
}

// expire ends the open watches with "410 Gone: too old resource version".
func (f *flaky) expire() {
	f.mu.Lock()
	ps := f.proxies
	f.proxies = nil
	f.mu.Unlock()
	for _, p := range ps {
		close(p.expired)
	}
}

// proxy is one watch seen through flaky; forward alone sends on out.
type proxy struct {
	in       watch.Interface
	out      chan watch.Event
	expired  chan struct{}
	done     chan struct{}
	deaf     atomic.Bool
	stopOnce sync.Once
	f        *flaky
}

func (p *proxy) forward() {
	defer close(p.out)
	gone := apierrors.NewResourceExpired("too old resource version").ErrStatus
	expired := p.expired
	for {
		var ev watch.Event
		select {
		case e, ok := <-p.in.ResultChan():
			if !ok {
				return
			}
			if p.deaf.Load() {
				p.f.dropped.Add(1)
				continue
			}
			ev = e
		case <-expired:
			p.drain()
			ev, expired = watch.Event{Type: watch.Error, Object: &gone}, nil
		case <-p.done:
			return
		}
		select {
		case p.out <- ev:
		case <-p.done:
			return
		}
	}
}

// drain drops the events already queued (the tracker queues them before
// its Create or Delete returns), so that none slips past the expiry.
func (p *proxy) drain() {
	for {
		select {
		case _, ok := <-p.in.ResultChan():
			if !ok {
				return
			}
			if p.deaf.Load() {
				p.f.dropped.Add(1)
			}
		default:
			return
		}
	}
}

func (p *proxy) Stop() {
	p.stopOnce.Do(func() {
		close(p.done)
		p.in.Stop()
	})
}

func (p *proxy) ResultChan() <-chan watch.Event { return p.out }
