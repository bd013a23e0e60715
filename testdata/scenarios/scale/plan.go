package main

import (
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"strings"
)

// copyPlan is what one copy of the application becomes: its source, its
// names and its addresses. Copy 0 keeps the source's names and addresses,
// so a 1× build is the source itself.
type copyPlan struct {
	k      int
	src    *source
	suffix string // "" for copy 0, "-k<k>" otherwise

	podNet, podMask uint32 // the source's pod range
	slot            uint32 // this copy's pod range (same size)
	svc             map[uint32]uint32
}

// addr maps one IPv4 address: the source's pod range moves to the copy's
// slot, service addresses to the copy's own, anything else (outside hosts)
// stays.
func (c *copyPlan) addr(a uint32) uint32 {
	if a&c.podMask == c.podNet {
		return c.slot | a&^c.podMask
	}
	if v, ok := c.svc[a]; ok {
		return v
	}
	return a
}

// mac gives copy k's unicast MAC addresses their own value (bytes 1 and 2
// XOR k); broadcast, multicast and the all-zero address stay.
func (c *copyPlan) mac(m []byte) {
	if c.k == 0 || m[0]&1 != 0 || [6]byte(m) == [6]byte{} {
		return
	}
	m[1] ^= byte(c.k >> 8)
	m[2] ^= byte(c.k)
}

// service renames a service (also an owner or controller name).
func (c *copyPlan) service(name string) string {
	if name == "" {
		return ""
	}
	return name + c.suffix
}

// namespace renames a namespace. kube-system stays: there is one per
// cluster, and the engine treats its entities (other than DNS) as
// infrastructure by that name.
func (c *copyPlan) namespace(ns string) string {
	if ns == "" || ns == "kube-system" {
		return ns
	}
	return ns + c.suffix
}

// pod renames a pod: the suffix goes after its service's name, so that
// "catalogue-k28qrjdrsm-jf29z" of service catalogue becomes
// "catalogue-k3-k28qrjdrsm-jf29z" and still reads as a pod of
// "catalogue-k3"; a pod whose name does not start with its service's gets
// the suffix at the end.
func (c *copyPlan) pod(name string) string {
	if c.suffix == "" {
		return name
	}
	svc := c.src.podService[name]
	if svc != "" && strings.HasPrefix(name, svc+"-") {
		return svc + c.suffix + name[len(svc):]
	}
	return name + c.suffix
}

// ip maps an address given as text; text that is not an IPv4 address is
// returned unchanged.
func (c *copyPlan) ip(s string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || !a.Is4() {
		return s
	}
	return u32addr(c.addr(addrU32(a))).String()
}

// maxSvcStride spreads a service's copies over the service range.
const maxSvcStride = 7919

// makePlans lays out the copies: copy k uses srcOf[k]. Pod ranges are
// consecutive blocks of the base source's pod-range size after it;
// service addresses are allocated in the service range. It refuses any
// layout in which two copies, or a copy and an address that stays, could
// share an address.
func makePlans(srcOf []*source) ([]*copyPlan, error) {
	base := srcOf[0]
	var uniq []*source
	for _, s := range srcOf {
		if !slices.Contains(uniq, s) {
			uniq = append(uniq, s)
		}
	}
	size := ^base.podMask + 1
	n := uint32(len(srcOf))
	for _, s := range uniq {
		if s.podMask != base.podMask {
			return nil, fmt.Errorf("%s: pod range %v is not the size of %s's %v; copies need pod ranges of one size", s.dir, s.podPrefix(), base.dir, base.podPrefix())
		}
	}
	first, last := uint64(base.podNet), uint64(base.podNet)+uint64(n)*uint64(size)-1
	if last>>24 != first>>24 {
		return nil, fmt.Errorf("%d copies of pod range %v would leave %v.0.0.0/8: at most %d fit; use fewer copies", n, base.podPrefix(), first>>24, ((first>>24+1)<<24-first)/uint64(size))
	}
	svcNet, err := serviceRange(uniq)
	if err != nil {
		return nil, err
	}
	if svcNet.IsValid() {
		lo := uint64(addrU32(svcNet.Addr()))
		if hi := lo + uint64(1)<<(32-svcNet.Bits()) - 1; first <= hi && lo <= last {
			return nil, fmt.Errorf("the copies' pod ranges %v–%v overlap the service range %v; use fewer copies", u32addr(uint32(first)), u32addr(uint32(last)), svcNet)
		}
	}
	used := make(map[uint32]bool)
	for _, s := range uniq {
		for a := range s.stays {
			if uint64(a) >= first && uint64(a) <= last {
				return nil, fmt.Errorf("%s: address %v, which every copy shares, lies in the copies' pod ranges %v–%v; use fewer copies", s.dir, u32addr(a), u32addr(uint32(first)), u32addr(uint32(last)))
			}
			used[a] = true
		}
	}
	plans := make([]*copyPlan, n)
	for k, s := range srcOf {
		c := &copyPlan{k: k, src: s, podNet: s.podNet, podMask: s.podMask, slot: uint32(first) + uint32(k)*size}
		if k > 0 {
			c.suffix = fmt.Sprintf("-k%d", k)
		}
		if c.svc, err = allocServices(c, svcNet, used); err != nil {
			return nil, err
		}
		plans[k] = c
	}
	return plans, checkMACs(plans)
}

// serviceRange is the range holding every source's service addresses
// (their common prefix, at most /24), invalid when there are none.
func serviceRange(srcs []*source) (netip.Prefix, error) {
	var all []uint32
	for _, s := range srcs {
		all = append(all, s.svcIPs...)
	}
	if len(all) == 0 {
		return netip.Prefix{}, nil
	}
	p, ok := covering(all)
	if !ok {
		return netip.Prefix{}, fmt.Errorf("the service addresses %v … %v have no common /8: give copies sources whose services share one range", u32addr(slices.Min(all)), u32addr(slices.Max(all)))
	}
	return p, nil
}

// allocServices gives copy c an address for each of its source's service
// addresses: copy 0 keeps them, copy k tries (host + k·7919) mod the range
// size and the following free addresses. used collects every address
// taken.
func allocServices(c *copyPlan, svcNet netip.Prefix, used map[uint32]bool) (map[uint32]uint32, error) {
	out := make(map[uint32]uint32, len(c.src.svcIPs))
	if len(c.src.svcIPs) == 0 {
		return out, nil
	}
	base := addrU32(svcNet.Addr())
	size := uint64(1) << (32 - svcNet.Bits())
	for _, a := range c.src.svcIPs {
		if c.k == 0 {
			if used[a] {
				return nil, fmt.Errorf("%s: service address %v is also used by another source or an outside host", c.src.dir, u32addr(a))
			}
			out[a], used[a] = a, true
			continue
		}
		h := (uint64(a-base) + uint64(c.k)*maxSvcStride) % size
		found := false
		for range size {
			cand := base + uint32(h)
			if h != 0 && h != size-1 && !used[cand] {
				out[a], used[cand], found = cand, true, true
				break
			}
			h = (h + 1) % size
		}
		if !found {
			return nil, fmt.Errorf("service range %v has no free address left for copy %d: use fewer copies", svcNet, c.k)
		}
	}
	return out, nil
}

// checkMACs refuses layouts in which two copies' frames would carry the
// same unicast MAC address.
func checkMACs(plans []*copyPlan) error {
	seen := make(map[[6]byte]int)
	for _, c := range plans {
		for m := range c.src.macs {
			if m[0]&1 != 0 || m == [6]byte{} {
				continue // shared by every copy on purpose
			}
			mm := m
			c.mac(mm[:])
			if j, ok := seen[mm]; ok && j != c.k {
				return fmt.Errorf("MAC address %x of copy %d equals one of copy %d after renumbering; use fewer copies", mm, c.k, j)
			}
			seen[mm] = c.k
		}
	}
	return nil
}

// covering is the common prefix of the IPv4 addresses, narrowed to at most
// /24 (the engine's inference does the same); ok is false when they share
// less than a /8.
func covering(addrs []uint32) (netip.Prefix, bool) {
	lo, hi := slices.Min(addrs), slices.Max(addrs)
	n := bits.LeadingZeros32(lo ^ hi)
	if n < 8 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(u32addr(lo), min(n, 24)).Masked(), true
}

func addrU32(a netip.Addr) uint32 { b := a.As4(); return be32(b[:]) }

func u32addr(v uint32) netip.Addr {
	var b [4]byte
	be32put(b[:], v)
	return netip.AddrFrom4(b)
}
