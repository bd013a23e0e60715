package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strings"
	"time"
)

// writeJSON writes v indented, as the scenario directories' files are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// epoch is Unix ns as the epoch seconds the ground-truth files use.
func epoch(ns int64) float64 { return float64(ns) / 1e9 }

// outStart is the output's capture start: the base's, on its own time base.
func (b *build) outStart() int64 { return b.base.captureStart }

// groundTruth is the output's ground_truth.json: every attack of every
// copy's source, once per repetition, moved to the output's time base and
// renamed for its copy.
func (b *build) groundTruth(captureName string) map[string]any {
	attacks := []any{}
	var sensitive []string
	var attacker any
	for _, c := range b.plans {
		t := c.src.truth
		for _, s := range anyList(t["sensitive_services"]) {
			if name, ok := s.(string); ok {
				sensitive = append(sensitive, c.service(name))
			}
		}
		if attacker == nil {
			attacker = t["attacker_ip"]
		}
		for _, a := range anyList(t["attacks"]) {
			am, ok := a.(map[string]any)
			if !ok {
				continue
			}
			for r := range b.reps {
				attacks = append(attacks, b.moveAttack(am, c, r))
			}
		}
	}
	end := b.tl + int64(b.reps-1)*b.period
	return map[string]any{
		"dataset":             "scale of scenarios/" + b.base.name,
		"scenario":            b.base.name,
		"capture_file":        captureName,
		"capture_start_epoch": epoch(b.outStart()),
		"capture_end_epoch":   epoch(end),
		"benign_only":         len(attacks) == 0,
		"sensitive_services":  sensitive,
		"attacker_ip":         attacker,
		"attacks":             attacks,
		"notes":               "built by testdata/scenarios/scale (see metadata.json): each attack of the source scenario of a copy, once per repetition, with its times moved to this capture's time base (*_rel count from capture_start_epoch) and its services, pods and addresses renamed for the copy; windows_10s and windows_60s are the first and last window (numbered from the first packet, as mimir-tui numbers them) the attack touches; the other fields are the source's.",
	}
}

// moveAttack renames attack a of copy c's source for repetition r.
func (b *build) moveAttack(a map[string]any, c *copyPlan, r int) map[string]any {
	dt := c.src.shift + int64(r)*b.period
	relShift := epoch(c.src.captureStart + dt - b.outStart())
	out := make(map[string]any, len(a)+1)
	for k, v := range a {
		switch {
		case k == "id":
			id := fmt.Sprint(v) + c.suffix
			if b.reps > 1 {
				id += fmt.Sprintf("-r%d", r)
			}
			out[k] = id
		case k == "path":
			out[k] = mapStrings(v, func(s string) string {
				if c.src.services[s] {
					return c.service(s)
				}
				return s
			})
		case k == "pods":
			out[k] = mapStrings(v, c.pod)
		case k == "src_ip" || k == "dst_ip":
			out[k] = mapStrings(v, func(s string) string { return mapIPList(c, s) })
		case k == "dst_ips" || k == "src_ips":
			out[k] = mapStrings(v, c.ip)
		case k == "start" || k == "end":
			out[k] = addSeconds(v, epoch(dt))
		case strings.HasSuffix(k, "_rel"):
			out[k] = addSeconds(v, relShift)
		default:
			out[k] = v
		}
	}
	for _, k := range []string{"start", "end"} {
		if f, ok := toFloat(out[k]); ok {
			out[k+"_rfc3339"] = time.Unix(0, int64(f*1e9)).UTC().Format(time.RFC3339Nano)
		}
	}
	start, ok1 := toFloat(out["start"])
	end, ok2 := toFloat(out["end"])
	for _, w := range []float64{10, 60} {
		if ok1 && ok2 { // the windows mimir-tui numbers from the first packet
			out[fmt.Sprintf("windows_%.0fs", w)] = []int{int(math.Floor((start - epoch(b.t0)) / w)), int(math.Floor((end - epoch(b.t0)) / w))}
		}
	}
	out["copy"] = c.k
	out["repetition"] = r
	return out
}

// mapIPList maps a comma-separated list of addresses.
func mapIPList(c *copyPlan, s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = c.ip(p)
	}
	return strings.Join(parts, ",")
}

// mapStrings applies f to a string or to the strings of a list; anything
// else is returned unchanged.
func mapStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapStrings(e, f)
		}
		return out
	}
	return v
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

// addSeconds adds d to a number, rounded to the microsecond; anything
// else is returned unchanged.
func addSeconds(v any, d float64) any {
	f, ok := toFloat(v)
	if !ok {
		return v
	}
	return json.Number(fmt.Sprintf("%.6f", f+d))
}

// copyInfo describes one copy in metadata.json.
type copyInfo struct {
	Copy     int          `json:"copy"`
	Source   string       `json:"source"`
	Suffix   string       `json:"suffix"`
	PodRange netip.Prefix `json:"pod_range"`
}

// metadata is the output's metadata.json: how it was built.
func (b *build) metadata(captureName string) map[string]any {
	copies := make([]copyInfo, len(b.plans))
	pods, services := 0, 0
	for i, c := range b.plans {
		copies[i] = copyInfo{c.k, c.src.dir, c.suffix, netip.PrefixFrom(u32addr(c.slot), c.src.podPrefix().Bits())}
		pods += len(c.src.podService)
		services += len(c.src.services)
	}
	o := b.opts
	return map[string]any{
		"generator":           "go run ./testdata/scenarios/scale " + strings.Join(o.args, " "),
		"capture_file":        captureName,
		"capture_start_epoch": epoch(b.outStart()),
		"first_packet_epoch":  epoch(b.t0),
		"last_packet_epoch":   epoch(b.tl + int64(b.reps-1)*b.period),
		"packets":             b.packets,
		"copies":              len(b.plans),
		"pods":                pods,
		"services":            services,
		"repetitions":         b.reps,
		"period_s":            epoch(b.period),
		"gap_s":               epoch(b.gap),
		"entity_events":       b.entityEvents,
		"copy_plan":           copies,
		"notes":               "copy 0 keeps the source's names and addresses; copy k>0 appends -k<k> to services, pods (after the service name) and namespaces other than kube-system, moves the source's pod range to pod_range and its service addresses to free addresses of the service range, and XORs k into bytes 1-2 of unicast MACs; outside addresses are shared. Every frame is emitted once per copy at the same timestamp. DNS names are unchanged; DNS A records are mapped. Repetition r is shifted by r*period_s; see testdata/scenarios/scale/doc.go for the entity log's rules.",
	}
}
