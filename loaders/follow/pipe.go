package follow

import (
	"io"
	"sync"
)

// chunk is how much the pump reads at once.
const chunk = 64 << 10

// pump reads a pipe on its own goroutine into a bounded queue of chunks,
// so that the consumer can ask for data without blocking.
type pump struct {
	mu    sync.Mutex
	queue [][]byte // filled chunks, oldest first
	taken []byte   // the chunk being consumed
	cur   []byte   // its unread rest
	err   error    // the pipe's end (io.EOF) or error, after the queue
	ready chan struct{}
	room  chan struct{} // a token per chunk the queue may still take
	free  chan []byte   // spent chunks for reuse
	quit  chan struct{}
	once  sync.Once
}

func newPump(src io.Reader, buffer int) *pump {
	n := max(2, buffer/chunk)
	p := &pump{ready: make(chan struct{}, 1), room: make(chan struct{}, n), free: make(chan []byte, n), quit: make(chan struct{})}
	for range n {
		p.room <- struct{}{}
	}
	go p.run(src)
	return p
}

// run reads until the pipe ends, a chunk at a time, waiting for room.
func (p *pump) run(src io.Reader) {
	for {
		select {
		case <-p.room:
		case <-p.quit:
			return
		}
		var b []byte
		select {
		case b = <-p.free:
		default:
			b = make([]byte, chunk)
		}
		n, err := src.Read(b[:chunk])
		p.mu.Lock()
		if n > 0 {
			p.queue = append(p.queue, b[:n])
		} else {
			p.room <- struct{}{}
		}
		if err != nil {
			p.err = err
		}
		p.mu.Unlock()
		p.signal()
		if err != nil {
			return
		}
	}
}

// signal wakes a waiting consumer.
func (p *pump) signal() {
	select {
	case p.ready <- struct{}{}:
	default:
	}
}

// read copies out what the queue holds; ErrNoData when it is empty and
// the pipe goes on, the pipe's error once it is drained.
func (p *pump) read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for n < len(b) {
		if len(p.cur) == 0 {
			if len(p.queue) == 0 {
				break
			}
			p.taken, p.queue = p.queue[0], p.queue[1:]
			p.cur = p.taken
		}
		m := copy(b[n:], p.cur)
		n += m
		p.cur = p.cur[m:]
		if len(p.cur) == 0 {
			p.recycle()
		}
	}
	switch {
	case n > 0:
		return n, nil
	case p.err != nil:
		return 0, p.err
	}
	return 0, ErrNoData
}

// recycle returns the spent chunk and its room to the reading goroutine.
func (p *pump) recycle() {
	select {
	case p.free <- p.taken[:cap(p.taken)]:
	default:
	}
	p.taken, p.cur = nil, nil
	p.room <- struct{}{}
}

// stop ends the goroutine once its current read returns.
func (p *pump) stop() { p.once.Do(func() { close(p.quit) }) }
