package tui

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
)

// detailStore keeps the bulky part of every analysed window — its service
// graph, flagged edges and score contributions — in a temporary file, so
// that the explorer's memory holds only what the chart and the counts
// need (a few hundred bytes a window) and a week of windows fits. The
// cursor window's details are read back when it is shown. Writes happen as
// windows arrive; reads may come from commands at the same time.
type detailStore struct {
	mu   sync.Mutex
	f    *os.File
	end  int64
	at   map[windowKey][2]span // the flagged edges, the rest
	err  error                 // the first write error; details are then kept in memory
	mem  map[windowKey]*details
	path string
}

// windowKey names a window: its size and index.
type windowKey struct {
	size  time.Duration
	index int
}

type span struct{ off, n int64 }

// details are the parts of a window the store keeps out of memory. The
// flagged edges are a record of their own: the intervals and exports read
// only them, for every alerting window.
type details struct {
	flagged
	Edges         []engine.Edge
	Contributions []engine.Contribution
	PodEdges      []engine.PodEdge
	Domains       []engine.DomainUse
	Ports         []engine.PortUse
}

type flagged struct{ Flagged []engine.FlaggedEdge }

// newDetailStore makes the store's temporary file in dir ("" for the
// system's); without one it keeps details in memory.
func newDetailStore(dir string) *detailStore {
	s := &detailStore{at: make(map[windowKey][2]span), mem: make(map[windowKey]*details)}
	f, err := os.CreateTemp(dir, "mimir-tui-*.details")
	if err != nil {
		s.err = err
		return s
	}
	s.f, s.path = f, f.Name()
	return s
}

// slim stores w's details and returns a copy of w without them.
func (s *detailStore) slim(w *engine.WindowResult) *engine.WindowResult {
	d := &details{flagged: flagged{w.Flagged}, Edges: w.Edges, Contributions: w.Contributions,
		PodEdges: w.PodEdges, Domains: w.Domains, Ports: w.Ports}
	k := windowKey{w.Size, w.Index}
	s.put(k, d)
	c := *w
	c.Edges, c.Flagged, c.Contributions, c.PodEdges, c.Domains, c.Ports = nil, nil, nil, nil, nil, nil
	return &c
}

func (s *detailStore) put(k windowKey, d *details) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		var sp [2]span
		rest := *d
		rest.Flagged = nil
		for i, rec := range []any{&d.flagged, &rest} {
			if sp[i], s.err = s.write(rec); s.err != nil {
				break
			}
		}
		if s.err == nil {
			s.at[k] = sp
			return
		}
	}
	s.mem[k] = d // the disk failed: memory it is
}

// write appends one gob record (with its own type information, so that it
// decodes alone).
func (s *detailStore) write(rec any) (span, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(rec); err != nil {
		return span{}, err
	}
	if _, err := s.f.WriteAt(buf.Bytes(), s.end); err != nil {
		return span{}, err
	}
	sp := span{s.end, int64(buf.Len())}
	s.end += sp.n
	return sp, nil
}

// read decodes the record at sp into rec.
func (s *detailStore) read(f *os.File, k windowKey, sp span, rec any) error {
	b := make([]byte, sp.n)
	if _, err := f.ReadAt(b, sp.off); err != nil {
		return fmt.Errorf("read the details of window %d: %w", k.index, err)
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(rec); err != nil {
		return fmt.Errorf("decode the details of window %d: %w", k.index, err)
	}
	return nil
}

// get reads the details of window k; with onlyFlagged, only its flagged
// edges.
func (s *detailStore) get(k windowKey, onlyFlagged bool) (*details, error) {
	s.mu.Lock()
	if d, ok := s.mem[k]; ok {
		s.mu.Unlock()
		return d, nil
	}
	sp, ok := s.at[k]
	f := s.f
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("window %d of %v has no details", k.index, k.size)
	}
	var d details
	if err := s.read(f, k, sp[0], &d.flagged); err != nil || onlyFlagged {
		return &d, err
	}
	fl := d.flagged
	if err := s.read(f, k, sp[1], &d); err != nil {
		return nil, err
	}
	d.flagged = fl
	return &d, nil
}

// flaggedOf returns w with its flagged edges (and not its other details).
func (s *detailStore) flaggedOf(w *engine.WindowResult) (*engine.WindowResult, error) {
	d, err := s.get(windowKey{w.Size, w.Index}, true)
	if err != nil {
		return nil, err
	}
	c := *w
	c.Flagged = d.Flagged
	return &c, nil
}

// full returns w with its details.
func (s *detailStore) full(w *engine.WindowResult) (*engine.WindowResult, error) {
	d, err := s.get(windowKey{w.Size, w.Index}, false)
	if err != nil {
		return nil, err
	}
	c := *w
	c.Edges, c.Flagged, c.Contributions = d.Edges, d.Flagged, d.Contributions
	c.PodEdges, c.Domains, c.Ports = d.PodEdges, d.Domains, d.Ports
	return &c, nil
}

// close removes the temporary file.
func (s *detailStore) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		s.f.Close()
		os.Remove(s.path)
		s.f = nil
	}
}

// detailsMsg brings the details of a window that is to be shown.
type detailsMsg struct {
	key windowKey
	w   *engine.WindowResult // with details; nil on error
	err error
}

// loadDetails reads a window's details off the update loop.
func (s *detailStore) loadDetails(w *engine.WindowResult) tea.Cmd {
	return func() tea.Msg {
		full, err := s.full(w)
		return detailsMsg{key: windowKey{w.Size, w.Index}, w: full, err: err}
	}
}

// detailCache holds the details of the windows shown lately.
type detailCache struct {
	loaded   map[windowKey]*engine.WindowResult
	order    []windowKey
	inFlight map[windowKey]bool
}

// maxCached bounds the windows whose details are held in memory.
const maxCached = 64

func newDetailCache() *detailCache {
	return &detailCache{loaded: make(map[windowKey]*engine.WindowResult), inFlight: make(map[windowKey]bool)}
}

func (c *detailCache) add(k windowKey, w *engine.WindowResult) {
	delete(c.inFlight, k)
	if _, ok := c.loaded[k]; !ok {
		c.order = append(c.order, k)
	}
	c.loaded[k] = w
	if len(c.order) > maxCached {
		delete(c.loaded, c.order[0])
		c.order = c.order[1:]
	}
}
