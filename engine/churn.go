package engine

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// churnOf lists the changes of the application the entity timeline shows:
// every instance's add and delete, in time order, with an add noting the
// entity that held its address before (an address reused). The log's
// first state (what it lists at its first instant) is not a change.
func churnOf(tl *entities.Timeline) []Change {
	inst := tl.Instances()
	first, _ := tl.Span()
	var out []Change
	lastHolder := make(map[string]*entities.Instance)
	order := make([]*entities.Instance, 0, len(inst))
	for i := range inst {
		if !inst[i].Superseded { // replaced as the followed log grew
			order = append(order, &inst[i])
		}
	}
	slices.SortStableFunc(order, func(a, b *entities.Instance) int { return cmp.Compare(a.From, b.From) })
	for _, in := range order {
		c := changeOf(in, "add", in.From)
		if in.IP.IsValid() {
			if prev := lastHolder[in.IP.String()]; prev != nil && prev.To <= in.From && prev.Name != in.Name {
				c.ReusedFrom = prev.Name
			}
			lastHolder[in.IP.String()] = in
		}
		if in.From > first {
			out = append(out, c)
		}
		if in.To != math.MaxInt64 {
			out = append(out, changeOf(in, "delete", in.To))
		}
	}
	slices.SortStableFunc(out, func(a, b Change) int { return a.Time.Compare(b.Time) })
	return out
}

func changeOf(in *entities.Instance, op string, at int64) Change {
	c := Change{Time: time.Unix(0, at).UTC(), Op: op, Kind: in.Kind.String(), Name: in.Name, Namespace: in.Namespace, Service: in.Service}
	if in.IP.IsValid() {
		c.IP = in.IP.String()
	}
	return c
}

// churnIn returns the changes in [start, end) of a sorted list.
func churnIn(changes []Change, start, end int64) []Change {
	from := sort.Search(len(changes), func(i int) bool { return changes[i].Time.UnixNano() >= start })
	to := sort.Search(len(changes), func(i int) bool { return changes[i].Time.UnixNano() >= end })
	if from == to {
		return nil
	}
	return slices.Clone(changes[from:to])
}
