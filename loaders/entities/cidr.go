package entities

import (
	"math/bits"
	"net/netip"
	"slices"
)

// Inference bounds (see the package documentation): a common prefix is
// widened to at most /24 (/64), and one shorter than /8 (/32) means the
// addresses are not one range, so they are grouped by /16 (/48).
const (
	widest4, narrowest4, group4 = 8, 24, 16
	widest6, narrowest6, group6 = 32, 64, 48
)

// inferPrefixes derives the cluster's ranges from the addresses in the
// log: pod addresses and service addresses separately, per family,
// leaving out host-network pods (their addresses are the nodes').
func inferPrefixes(inst []Instance) []netip.Prefix {
	var sets [2][2][]netip.Addr // [pod/service][v4/v6]
	for i := range inst {
		in := &inst[i]
		if in.HostNetwork {
			continue
		}
		for _, a := range in.Addrs() {
			f := 0
			if !a.Is4() {
				f = 1
			}
			sets[in.Kind][f] = append(sets[in.Kind][f], a)
		}
	}
	var out []netip.Prefix
	for _, kind := range sets {
		for _, addrs := range kind {
			out = append(out, commonPrefixes(addrs)...)
		}
	}
	return normalizePrefixes(out)
}

// commonPrefixes returns the prefix covering addrs (all of one family).
func commonPrefixes(addrs []netip.Addr) []netip.Prefix {
	if len(addrs) == 0 {
		return nil
	}
	lo, hi := slices.MinFunc(addrs, netip.Addr.Compare), slices.MaxFunc(addrs, netip.Addr.Compare)
	widest, narrowest, group := widest4, narrowest4, group4
	if !lo.Is4() {
		widest, narrowest, group = widest6, narrowest6, group6
	}
	n := commonBits(lo, hi)
	if n >= widest {
		p, _ := lo.Prefix(min(n, narrowest))
		return []netip.Prefix{p}
	}
	var out []netip.Prefix
	for _, a := range addrs {
		p, _ := a.Prefix(group)
		out = append(out, p)
	}
	slices.SortFunc(out, netip.Prefix.Compare)
	return slices.Compact(out)
}

// commonBits counts the leading bits two addresses of one family share.
func commonBits(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	n := 0
	for i := range x {
		if d := x[i] ^ y[i]; d != 0 {
			n += bits.LeadingZeros8(d)
			break
		}
		n += 8
	}
	if a.Is4() {
		n -= 96
	}
	return n
}

// normalizePrefixes sorts, removes duplicates and prefixes inside others.
func normalizePrefixes(ps []netip.Prefix) []netip.Prefix {
	slices.SortFunc(ps, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	out := ps[:0]
	for _, p := range ps {
		covered := false
		for _, q := range out {
			if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}
