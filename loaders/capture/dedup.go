package capture

import (
	"encoding/binary"
	"time"
)

// DefaultDedupSpan is how far apart in time the copies of one packet may
// be by default. Copies of a packet on a node's interfaces are
// microseconds apart, on two nodes the transit time (well under a
// millisecond in a cluster) plus what is left of the clock offset once
// corrected; 20 ms covers both many times over and is still shorter than
// the time after which a sender repeats a packet (TCP's shortest
// retransmission timeout is 200 ms on Linux).
const DefaultDedupSpan = 20 * time.Millisecond

// Dedup decides which packets are copies of one another: the same IP
// packet seen on several interfaces of one capture (tcpdump -i any sees a
// pod's packet on its veth, on the bridge and on the receiver's veth) or
// in several captures (the sender's node and the receiver's), inside a
// tunnel or out of it. Duplicate is the one place this is decided.
//
// The rule. Two packets carry the same IP packet when they have the same
// key (Key). Packets with the same key whose timestamps follow each other
// by at most the span form a group. A capture interface (a place: one
// interface of one input) sees each packet of the group once, so the
// group holds as many genuine packets as the place that saw the most of
// them; a packet that raises that number is genuine and kept, any other
// is a copy and dropped. So a retransmission that is identical to its
// original (IPv6 has no IP identification, and the TCP timestamp clock
// ticks in milliseconds) is kept: its place sees the key twice. Frames of
// Linux cooked capture v1 (tcpdump -i any -y LINUX_SLL) do not say their
// interface: such a frame is a copy whenever its group already has a
// packet, so identical packets sent within the span on such a capture
// collapse into one (the default v2 records the interface). Frames
// without IP are never copies.
//
// Memory is bounded: groups are forgotten once the span has passed (two
// generations of a hash table, each covering one span) and the table
// stops growing at maxDedupSlots entries, where it forgets early
// (Forgotten counts the packets recorded with a shortened history).
type Dedup struct {
	span      int64
	cur, prev dupTable
	now       int64
	started   bool
	forgotten uint64
}

// NewDedup returns a Dedup for copies at most span apart (0 means
// DefaultDedupSpan).
func NewDedup(span time.Duration) *Dedup {
	if span <= 0 {
		span = DefaultDedupSpan
	}
	return &Dedup{span: int64(span)}
}

// Forgotten counts the packets recorded after the table was full and
// groups younger than the span had to be forgotten: copies of those may
// have been kept.
func (d *Dedup) Forgotten() uint64 { return d.forgotten }

// Duplicate reports whether p is a copy of a packet seen before, by the
// rule above, and records it. Packets must come in time order, give or
// take a fraction of the span. p.Input tells the captures apart.
func (d *Dedup) Duplicate(p *Packet) bool {
	if p.IPVersion == 0 || p.ip == nil {
		return false
	}
	key, ts := Key(p), p.Timestamp
	d.advance(ts)
	e := d.group(key, ts)
	if ts > e.last {
		e.last = ts
	}
	return !e.sight(placeOf(p))
}

// advance moves the clock to ts and starts a new generation once the
// current one covers a span.
func (d *Dedup) advance(ts int64) {
	if !d.started {
		d.started, d.now, d.cur.start = true, ts, ts
	}
	if ts > d.now {
		d.now = ts
	}
	if d.now-d.cur.start > d.span {
		d.rotate()
	}
}

func (d *Dedup) rotate() {
	d.prev, d.cur = d.cur, d.prev
	d.cur.reset()
	d.cur.start = d.now
}

// group returns the group of key at ts: the current one, carried over
// from the previous generation, or a new one.
func (d *Dedup) group(key uint64, ts int64) *dupEntry {
	e, found := d.cur.slot(key)
	if found && d.within(e, ts) {
		return e
	}
	if !found {
		if d.cur.full() {
			e = d.makeRoom(key)
		}
		d.cur.n++
	}
	if old := d.prev.find(key); old != nil && d.within(old, ts) {
		*e = *old
		e.gen = d.cur.gen
	} else {
		*e = dupEntry{key: key, last: ts, gen: d.cur.gen}
	}
	return e
}

func (d *Dedup) within(e *dupEntry, ts int64) bool {
	return e.last-ts <= d.span && ts-e.last <= d.span
}

// makeRoom grows the current generation's table for key, or when it is
// as large as allowed, forgets the previous generation early.
func (d *Dedup) makeRoom(key uint64) *dupEntry {
	if !d.cur.grow() {
		d.forgotten++
		d.rotate()
	}
	e, _ := d.cur.slot(key)
	return e
}

// Table sizes, in entries of 48 bytes: at most 12 MiB per generation,
// enough for 200 000 packets within a span (10 million packets a second
// with the default span).
const (
	minDedupSlots = 1 << 8
	maxDedupSlots = 1 << 18
)

// dupTable is one generation: an open-addressing hash table of groups.
// Entries of an older generation count as empty, so that starting a new
// generation clears nothing.
type dupTable struct {
	slots []dupEntry
	n     int    // entries of this generation
	gen   uint32 // the generation; 0 is never used
	start int64  // when the generation began
}

func (t *dupTable) reset() {
	t.n = 0
	t.gen++
	if t.gen == 0 {
		clear(t.slots)
		t.gen = 1
	}
}

// slot returns the entry of key, or the empty slot where it belongs.
func (t *dupTable) slot(key uint64) (*dupEntry, bool) {
	if t.slots == nil {
		t.slots = make([]dupEntry, minDedupSlots)
		t.gen = max(t.gen, 1)
	}
	mask := len(t.slots) - 1
	for i := int(key) & mask; ; i = (i + 1) & mask {
		e := &t.slots[i]
		if e.gen != t.gen {
			return e, false
		}
		if e.key == key {
			return e, true
		}
	}
}

// find returns the entry of key, or nil.
func (t *dupTable) find(key uint64) *dupEntry {
	if t.slots == nil {
		return nil
	}
	if e, ok := t.slot(key); ok {
		return e
	}
	return nil
}

// full reports whether one more entry would load the table beyond 3/4.
func (t *dupTable) full() bool { return (t.n+1)*4 > len(t.slots)*3 }

// grow doubles the table, unless it is as large as allowed.
func (t *dupTable) grow() bool {
	if len(t.slots) >= maxDedupSlots {
		return false
	}
	old, gen := t.slots, t.gen
	t.slots = make([]dupEntry, 2*len(old))
	for i := range old {
		if old[i].gen == gen {
			e, _ := t.slot(old[i].key)
			*e = old[i]
		}
	}
	return true
}

// maxPlaces is how many places a group tells apart; a packet from a
// further place counts as a copy.
const maxPlaces = 4

// dupEntry is a group: its key, its latest timestamp and how often each
// place saw it.
type dupEntry struct {
	key    uint64
	last   int64
	gen    uint32 // the generation of the table it is in; else an empty slot
	places [maxPlaces]uint32
	counts [maxPlaces]uint16
	most   uint16 // genuine packets in the group
}

// sight records a packet of the group seen at place (0: unknown) and
// reports whether it is genuine.
func (e *dupEntry) sight(place uint32) bool {
	if place == 0 {
		if e.most == 0 {
			e.most = 1
			return true
		}
		return false
	}
	i := 0
	for i < maxPlaces && e.places[i] != place && e.places[i] != 0 {
		i++
	}
	if i == maxPlaces {
		return e.most == 0 && e.setMost(1)
	}
	e.places[i] = place
	if e.counts[i] < 1<<16-1 {
		e.counts[i]++
	}
	if e.counts[i] > e.most {
		return e.setMost(e.counts[i])
	}
	return false
}

func (e *dupEntry) setMost(n uint16) bool {
	e.most = n
	return true
}

// placeOf names the interface a packet was captured on: its input, its
// pcapng interface and a Linux cooked v2 frame's interface index; 0 for
// a Linux cooked v1 frame, which does not say.
func placeOf(p *Packet) uint32 {
	if p.LinkType == LinkLinuxSLL {
		return 0
	}
	h := fmix(uint64(p.Input)<<40 ^ uint64(p.Interface)<<32 ^ uint64(p.ifindex))
	return uint32(h) | 1
}

// Key identifies the IP packet p carries, for Dedup: what stays the same
// on every copy of it and differs between packets, hashed to 64 bits.
// That is the IP version, addresses and protocol; for IPv4 the
// identification, total length, fragment flags and offset and options;
// for IPv6 the flow label, payload length and extension headers (a
// fragment header's identification among them); the transport header
// without its checksum (TCP ports, sequence and acknowledgement numbers,
// flags, window and options, with the timestamps; UDP ports and length;
// ICMP type, code and identifier/sequence); and, for packets without an
// identification (IPv6 outside fragments, IPv4 with ID 0), the first 16
// bytes of transport payload. Left out is what changes between hops or
// between capture points: TTL or hop limit, TOS or traffic class,
// checksums (offloaded on the sender, complete on the receiver), link
// and tunnel headers. Key is 0 for a packet without IP.
func Key(p *Packet) uint64 {
	ip := p.ip
	if p.IPVersion == 0 || len(ip) < 20 {
		return 0
	}
	h, hdr, idless := ipKey(p)
	payload := transportKey(p, &h, hdr)
	if idless {
		h = hashBytes(h, payload[:min(16, len(payload))])
	}
	if h = fmix(h); h == 0 {
		h = 1
	}
	return h
}

// ipKey hashes p's IP header; hdr is where what follows it starts.
func ipKey(p *Packet) (h uint64, hdr int, idless bool) {
	ip := p.ip
	if p.IPVersion == 4 {
		hdr = min(int(ip[0]&0x0f)*4, len(ip))
		total := uint64(be16(ip[2:4]))
		if total == 0 {
			total = uint64(len(ip)) // segmentation offload
		}
		h = mix(4, uint64(ip[0])|total<<8|uint64(be16(ip[4:6]))<<24|uint64(be16(ip[6:8]))<<40|uint64(ip[9])<<56)
		h = mix(h, binary.LittleEndian.Uint64(ip[12:20]))
		if hdr > 20 {
			h = hashBytes(h, ip[20:hdr])
		}
		return h, hdr, be16(ip[4:6]) == 0
	}
	if len(ip) < 40 {
		return mix(6, 0), len(ip), true
	}
	plen := uint64(be16(ip[4:6]))
	if plen == 0 {
		plen = uint64(len(ip) - 40)
	}
	h = mix(6, uint64(ip[1]&0x0f)<<16|uint64(be16(ip[2:4]))|plen<<20|uint64(ip[6])<<36)
	h = hashBytes(h, ip[8:40])
	hdr = 40
	if p.l4 > 40 && p.l4 <= len(ip) {
		h = hashBytes(h, ip[40:p.l4])
		hdr = p.l4
	}
	return h, hdr, p.Fragment == NotFragment
}

// transportKey hashes p's transport header into h and returns the
// transport payload (for a later fragment or an unknown protocol, what
// follows the IP header).
func transportKey(p *Packet, h *uint64, hdr int) []byte {
	ip := p.ip
	if p.Fragment == LaterFragment || p.l4 <= 0 || p.l4 > len(ip) {
		return ip[hdr:]
	}
	t := ip[p.l4:]
	switch p.Protocol {
	case ProtoTCP:
		if len(t) < 20 {
			return nil
		}
		off := min(int(t[12]>>4)*4, len(t))
		*h = hashBytes(*h, t[0:16])
		if off > 18 {
			*h = hashBytes(*h, t[18:off])
		}
		return t[off:]
	case ProtoUDP:
		if len(t) < 8 {
			return nil
		}
		*h = mix(*h, uint64(binary.BigEndian.Uint32(t[0:4]))|uint64(be16(t[4:6]))<<32)
		return t[8:]
	case ProtoICMP, ProtoICMPv6:
		if len(t) < 8 {
			return nil
		}
		*h = mix(*h, uint64(t[0])|uint64(t[1])<<8|uint64(binary.BigEndian.Uint32(t[4:8]))<<16)
		return t[8:]
	}
	return t
}

// mix folds v into the hash h.
func mix(h, v uint64) uint64 {
	h = (h ^ v) * 0x9e3779b97f4a7c15
	return h ^ h>>32
}

// hashBytes folds b, and its length, into h.
func hashBytes(h uint64, b []byte) uint64 {
	h = mix(h, uint64(len(b)))
	for len(b) >= 8 {
		h = mix(h, binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	var tail uint64
	for i, c := range b {
		tail |= uint64(c) << (8 * i)
	}
	return mix(h, tail)
}

// fmix is MurmurHash3's finaliser: every input bit affects every output
// bit.
func fmix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}
