package engine

import (
	"cmp"
	"context"
	"net/netip"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestEvidenceOpenedCounts: on the port scan (baseline 90 s, sensitive
// shop-db: the explorer's repro) the new-initiator reason of an edge
// counts the connections its source opened ("over 513 new connections"
// in window 10 of front-end -> shop-db); the evidence keeps 32 of them
// and says how many it left out, so the two agree. Before, the count left
// out was dropped and the explorer titled the list "32 flows". Targets
// of equal count are in address and port order by number (:2, :10,
// :118, :1001), not as text (:10, :1001, :118, :2).
func TestEvidenceOpenedCounts(t *testing.T) {
	opts := DefaultOptions()
	opts.Baseline = BaselineSpan(90 * time.Second)
	opts.Sensitive = []string{"shop-db"}
	res, err := Run(context.Background(), scenarioInputs("port-scan"), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	over := regexp.MustCompile(`over (\d+) new connections`)
	var checked, targets int
	found513 := false
	// Flows are kept in the finest windows only (window.go).
	for _, s := range res.Series[:1] {
		for i := range s.Windows {
			for _, fe := range s.Windows[i].Flagged {
				ev := fe.Evidence
				if ev == nil {
					continue
				}
				targets += checkTargetOrder(t, fe.Src+" -> "+fe.Dst, ev.Targets)
				for _, r := range fe.Reasons {
					m := over.FindStringSubmatch(r.Text)
					if r.Code != ReasonNewInitiator || m == nil {
						continue
					}
					n, _ := strconv.Atoi(m[1])
					if got := len(ev.Opened) + ev.MoreOpened; got != n || len(ev.Opened) > maxEvidenceOpened {
						t.Errorf("%v window %d %s -> %s: %d opened connections kept + %d left out, the reason says %d",
							s.Size, s.Windows[i].Index, fe.Src, fe.Dst, len(ev.Opened), ev.MoreOpened, n)
					}
					checked++
					found513 = found513 || (n == 513 && fe.Dst == "shop-db" && len(ev.Opened) == maxEvidenceOpened && ev.MoreOpened == 481)
				}
			}
		}
	}
	if checked == 0 || !found513 || targets == 0 {
		t.Errorf("%d new-initiator reasons with a count checked, 513 in front-end -> shop-db found: %v, %d targets: the scan is missing", checked, found513, targets)
	}
}

// checkTargetOrder checks targets are most used first, then in address
// and port order by number; it returns how many it saw.
func checkTargetOrder(t *testing.T, edge string, ts []Target) int {
	t.Helper()
	for i := 1; i < len(ts); i++ {
		a, b := netip.MustParseAddrPort(ts[i-1].Address), netip.MustParseAddrPort(ts[i].Address)
		if c := cmp.Or(cmp.Compare(ts[i].Count, ts[i-1].Count), a.Addr().Compare(b.Addr()), cmp.Compare(a.Port(), b.Port())); c > 0 {
			t.Errorf("%s: target %s (%d×) before %s (%d×)", edge, ts[i-1].Address, ts[i-1].Count, ts[i].Address, ts[i].Count)
			return len(ts)
		}
	}
	return len(ts)
}
