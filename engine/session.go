package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// session is what a run knows of its inputs once they are open: the
// entity timeline and what it says of the application.
type session struct {
	opts      Options
	sizes     []time.Duration // ascending
	t0        int64           // the first packet, where windows are anchored
	tl        *entities.Timeline
	res       *resolver
	services  []string        // scored services, sorted, without outside
	dns       map[string]bool // cluster DNS services
	vips      map[string]bool // services with a ClusterIP
	sensitive []string
	guessed   bool // sensitive was guessed from names and labels
	fz        *featurizer
	inj       *injector
	warnings  []Warning
}

// newSession prepares the entity-dependent parts of a run: the scored
// services, the sensitive ones, and the featurizer (from the model when
// there is one).
func newSession(tl *entities.Timeline, opts Options, t0 int64) (*session, error) {
	s := &session{
		opts: opts, sizes: opts.Sizes, t0: t0, tl: tl,
		res: &resolver{tl: tl, includeInfra: opts.IncludeInfra},
		dns: make(map[string]bool),
	}
	s.inj = &injector{tl: tl, dns: s.dns}
	s.services, s.vips = scoredServices(tl, opts.IncludeInfra, s.dns)
	if m := opts.Baseline.Model(); m != nil {
		s.fromModel(m)
		return s, nil
	}
	if len(opts.Sensitive) > 0 {
		for _, name := range opts.Sensitive {
			if !slices.Contains(s.services, name) {
				return nil, settingErr(SettingSensitive, "sensitive service %s: no such service in the entity log; services are: %s", name, strings.Join(s.services, ", "))
			}
		}
		s.sensitive = sortedCopy(opts.Sensitive)
	} else {
		s.sensitive, s.guessed = s.guessSensitive(), true
	}
	s.fz = newFeaturizer(s.services, s.sensitive, s.dns)
	return s, nil
}

// fromModel takes the sensitive and DNS services and the Ide service list
// from m, and says what of the capture the model cannot know.
func (s *session) fromModel(m *Model) {
	s.sensitive = slices.Clone(m.Sensitive)
	if len(s.opts.Sensitive) > 0 && !slices.Equal(sortedCopy(s.opts.Sensitive), sortedCopy(m.Sensitive)) {
		s.warn(SettingSensitive, "sensitive services %s ignored: the model was trained with %s; retrain to change them",
			strings.Join(s.opts.Sensitive, ","), strings.Join(m.Sensitive, ","))
	}
	for _, d := range m.DNSServices {
		s.dns[d] = true
	}
	var unseen []string
	for _, svc := range s.services {
		if !slices.Contains(m.Services, svc) {
			unseen = append(unseen, svc)
		}
	}
	if len(unseen) > 0 {
		s.warn(SettingNone, "services the model never saw (only their new edges are scored): %s", strings.Join(unseen, ", "))
	}
	s.fz = newFeaturizer(m.Services, m.Sensitive, s.dns)
}

func (s *session) warn(set Setting, format string, args ...any) {
	s.warnings = append(s.warnings, Warning{Message: fmt.Sprintf(format, args...), Setting: set})
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// scoredServices lists the services of the timeline that enter the scored
// graph, sorted, and those with VIPs; it records the DNS services in dns.
func scoredServices(tl *entities.Timeline, includeInfra bool, dns map[string]bool) (services []string, vips map[string]bool) {
	set := make(map[string]bool)
	vips = make(map[string]bool)
	for _, svc := range tl.Services() {
		if svc.DNS {
			dns[svc.Name] = true
		}
		if svc.Infra && !includeInfra {
			continue
		}
		set[svc.Name] = true
		if len(svc.ClusterIPs) > 0 {
			vips[svc.Name] = true
		}
	}
	for _, in := range tl.Instances() {
		if in.Superseded {
			continue
		}
		if in.DNS {
			dns[in.Service] = true
		}
		if in.Infra && !includeInfra {
			continue
		}
		set[in.Service] = true
	}
	out := make([]string, 0, len(set))
	for svc := range set {
		out = append(out, svc)
	}
	return deleteNames(sortedCopy(out), Outside, Unknown), vips
}

// at is the session seeing tl, a later timeline of its followed entity
// log: its services (and their VIPs) are the longer log's. The window
// features and the DNS services stay those of the start, which the
// windows already featurised were made with.
func (s *session) at(tl *entities.Timeline) *session {
	if tl == s.tl {
		return s
	}
	c := *s
	c.tl = tl
	c.res = &resolver{tl: tl, includeInfra: s.opts.IncludeInfra}
	c.inj = &injector{tl: tl, dns: s.dns}
	c.services, c.vips = scoredServices(tl, s.opts.IncludeInfra, make(map[string]bool))
	return &c
}

// sensitiveHint matches names and labels of services that usually hold the
// data that must not leave.
var sensitiveHint = regexp.MustCompile(`(?i)(^|[^a-z])(db|database|redis|mysql|mariadb|postgres(ql)?|mongo(db)?|pxc|sql|cassandra|couchdb|elastic(search)?|vault|secrets?)([^a-z]|$)`)

// guessSensitive picks the services whose names or labels look like a
// data store. The guess is shown to the user, who can override it.
func (s *session) guessSensitive() []string {
	var out []string
	looks := func(name string, labels map[string]string) bool {
		hit := sensitiveHint.MatchString(name)
		for k, v := range labels {
			hit = hit || sensitiveHint.MatchString(k+"="+v)
		}
		return hit
	}
	for _, svc := range s.tl.Services() {
		if !s.dns[svc.Name] && slices.Contains(s.services, svc.Name) && looks(svc.Name, svc.Selector) {
			out = append(out, svc.Name)
		}
	}
	for _, in := range s.tl.Instances() {
		if in.Kind == entities.Pod && !s.dns[in.Service] && slices.Contains(s.services, in.Service) && looks(in.Service, in.Labels) {
			out = append(out, in.Service)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sensitiveWarning says what the run assumes of the sensitive services
// when they were guessed.
func (s *session) sensitiveWarning() (Warning, bool) {
	switch {
	case !s.guessed:
		return Warning{}, false
	case len(s.sensitive) == 0:
		return Warning{Setting: SettingSensitive, Message: "no service looks like a data store: name the sensitive services so exfiltration paths can be scored"}, true
	}
	return Warning{Setting: SettingSensitive, Message: fmt.Sprintf("sensitive services guessed from names and labels: %s", strings.Join(s.sensitive, ", "))}, true
}
