package engine

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// analysis is what a run knows about its inputs once they are open.
type analysis struct {
	opts      Options
	sizes     []time.Duration // ascending
	tl        *entities.Timeline
	res       *resolver
	fs        *featureSet
	sensitive []string
	guessed   bool
	dnsSvcs   map[string]bool
	vips      map[string]bool // services that have a ClusterIP
	inj       *injector
	series    []*seriesState
	model     *Model
	t0        int64
	warnings  []string
}

// normalize fills defaults and checks options.
func (o *Options) normalize() error {
	if len(o.Sizes) == 0 {
		o.Sizes = DefaultOptions().Sizes
	}
	for _, s := range o.Sizes {
		if s <= 0 {
			return fmt.Errorf("window size %v: it must be positive, e.g. --window 10s,60s", s)
		}
	}
	o.Sizes = slices.Clone(o.Sizes)
	slices.Sort(o.Sizes)
	o.Sizes = slices.Compact(o.Sizes)
	if o.Model == nil && o.Baseline <= 0 && o.BaselineFraction <= 0 {
		o.Baseline = DefaultOptions().Baseline
	}
	if o.BaselineFraction < 0 || o.BaselineFraction >= 1 {
		return fmt.Errorf("baseline fraction %g: it must be in (0, 1), e.g. --baseline 0.5", o.BaselineFraction)
	}
	if o.IdeHistory <= 0 {
		o.IdeHistory = DefaultOptions().IdeHistory
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if len(o.Rates) == 0 {
		o.Rates = DefaultRates
	}
	if o.Episode <= 0 {
		o.Episode = time.Minute
	}
	if o.MaxHops <= 0 {
		o.MaxHops = 3
	}
	if o.MaxPaths <= 0 {
		o.MaxPaths = 8
	}
	return nil
}

func (a *analysis) ideHistory() int { return a.opts.IdeHistory }

// sensitiveHint matches names and labels of services that usually hold the
// data that must not leave.
var sensitiveHint = regexp.MustCompile(`(?i)(^|[^a-z])(db|database|redis|mysql|mariadb|postgres(ql)?|mongo(db)?|pxc|sql|cassandra|couchdb|elastic(search)?|vault|secrets?)([^a-z]|$)`)

// newAnalysis prepares the entity-dependent parts of a run.
func newAnalysis(tl *entities.Timeline, opts Options, t0 int64) (*analysis, error) {
	a := &analysis{
		opts:    opts,
		sizes:   opts.Sizes,
		tl:      tl,
		res:     &resolver{tl: tl, includeInfra: opts.IncludeInfra},
		dnsSvcs: make(map[string]bool),
		vips:    make(map[string]bool),
		t0:      t0,
	}
	a.inj = &injector{tl: tl, dns: a.dnsSvcs}
	services := a.scoredServices()
	if opts.Model != nil {
		m := opts.Model
		a.sensitive = slices.Clone(m.Sensitive)
		if len(opts.Sensitive) > 0 && !slices.Equal(sortedCopy(opts.Sensitive), sortedCopy(m.Sensitive)) {
			a.warnings = append(a.warnings, fmt.Sprintf("--sensitive %s ignored: the model was trained with %s; retrain to change it",
				strings.Join(opts.Sensitive, ","), strings.Join(m.Sensitive, ",")))
		}
		for _, s := range m.DNSServices {
			a.dnsSvcs[s] = true
		}
		var unseen []string
		for _, s := range services {
			if !slices.Contains(m.Services, s) {
				unseen = append(unseen, s)
			}
		}
		if len(unseen) > 0 {
			a.warnings = append(a.warnings, fmt.Sprintf("services the model never saw (only their new edges are scored): %s", strings.Join(unseen, ", ")))
		}
		a.fs = newFeatureSet(m.Services, m.Sensitive)
		for i := range m.Sizes {
			if err := a.fs.check(m.Sizes[i].Features); err != nil {
				return nil, fmt.Errorf("%gs model: %w", m.Sizes[i].SizeSeconds, err)
			}
			if n := len(m.Sizes[i].Scaler.Median); n != len(a.fs.cols) {
				return nil, fmt.Errorf("%gs model: its scaler covers %d features, its services imply %d: the model file is damaged; retrain it", m.Sizes[i].SizeSeconds, n, len(a.fs.cols))
			}
		}
		return a, nil
	}
	switch {
	case len(opts.Sensitive) > 0:
		for _, s := range opts.Sensitive {
			if !slices.Contains(services, s) {
				return nil, fmt.Errorf("--sensitive %s: no such service in the entity log; services are: %s", s, strings.Join(services, ", "))
			}
		}
		a.sensitive = sortedCopy(opts.Sensitive)
	default:
		a.sensitive, a.guessed = a.guessSensitive(services), true
	}
	a.fs = newFeatureSet(services, a.sensitive)
	return a, nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// scoredServices lists the services of the timeline that enter the scored
// graph, and records which are DNS and which have VIPs.
func (a *analysis) scoredServices() []string {
	set := make(map[string]bool)
	for _, s := range a.tl.Services() {
		if s.DNS {
			a.dnsSvcs[s.Name] = true
		}
		if s.Infra && !a.opts.IncludeInfra {
			continue
		}
		set[s.Name] = true
		if len(s.ClusterIPs) > 0 {
			a.vips[s.Name] = true
		}
	}
	for _, in := range a.tl.Instances() {
		if in.DNS {
			a.dnsSvcs[in.Service] = true
		}
		if in.Infra && !a.opts.IncludeInfra {
			continue
		}
		set[in.Service] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		if s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// guessSensitive picks the services whose names or labels look like a
// data store. The guess is shown to the user, who can override it.
func (a *analysis) guessSensitive(services []string) []string {
	var out []string
	for _, s := range a.tl.Services() {
		if a.dnsSvcs[s.Name] || !slices.Contains(services, s.Name) {
			continue
		}
		hit := sensitiveHint.MatchString(s.Name)
		for k, v := range s.Selector {
			hit = hit || sensitiveHint.MatchString(k+"="+v)
		}
		if hit {
			out = append(out, s.Name)
		}
	}
	for _, in := range a.tl.Instances() {
		if in.Kind != entities.Pod || a.dnsSvcs[in.Service] || !slices.Contains(services, in.Service) || slices.Contains(out, in.Service) {
			continue
		}
		hit := sensitiveHint.MatchString(in.Service)
		for k, v := range in.Labels {
			hit = hit || sensitiveHint.MatchString(k+"="+v)
		}
		if hit {
			out = append(out, in.Service)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// parallel runs fn(i) for i in [0, n) on up to workers goroutines and
// stops early when ctx is cancelled.
func parallel(ctx context.Context, n, workers int, fn func(i int)) error {
	if workers < 1 {
		workers = 1
	}
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
