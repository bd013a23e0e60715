package main

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"slices"
	"time"
)

// Two nodes joined by VXLAN (UDP 8472, as flannel uses it): pod A
// (10.98.0.1, fd98::1, on its veth of interface index 5) on node a
// (192.168.50.1), pod B (10.98.0.2, fd98::2, veth 7) on node b
// (192.168.50.2); each node's uplink is eth0 (index 2). Every frame of
// node-bridge.pcap.gz was sent at its time t there by pod A, pod B or node
// a's bridge. A pod-to-pod unicast packet is captured (tcpdump -i any, the
// same snap length as the source) four times: on the sender's veth at t;
// routed into the tunnel (TTL/hop limit less one) and sent on the
// sender's eth0 at t+12 µs; received on the receiver's eth0 at t+180 µs;
// routed to the receiver's veth (less two) at t+195 µs. Everything else
// (ARP, multicast, the bridge's own packets) stays on the sender's node.
// Node b's clock runs 3.75 ms ahead of node a's.
const (
	ifEth0       = 2
	ifBridge     = 3
	ifVethA      = 5
	ifVethB      = 7
	vxlanPort    = 8472
	skewB        = 3750 * time.Microsecond
	tunnelDelay  = 12 * time.Microsecond
	transit      = 180 * time.Microsecond
	deliverDelay = 195 * time.Microsecond
)

var (
	macPodA = []byte{2, 0, 0, 0, 1, 0x0a}
	macPodB = []byte{2, 0, 0, 0, 1, 0x0b}
)

// copyAt is one frame of one node's capture.
type copyAt struct {
	t     time.Time
	data  []byte
	extra int // wire bytes beyond those captured
}

// writeTwoNode writes twonode-a.pcap.gz and twonode-b.pcap.gz from the
// frames of node-bridge.pcap.gz.
func writeTwoNode(dir string) {
	frames := readPcap(filepath.Join(dir, "node-bridge.pcap.gz"))
	var nodes [2][]copyAt
	var ids [2]uint16
	for _, f := range frames {
		from, cross := sender(f.data)
		extra := f.ci.Length - len(f.data)
		et, ip := binary.BigEndian.Uint16(f.data[12:14]), f.data[14:]
		skew := [2]time.Duration{0, skewB}
		vethOf := [2]uint32{ifVethA, ifVethB}
		if from < 0 {
			nodes[0] = append(nodes[0], copyAt{f.ci.Timestamp, cat(sll2(et, ifBridge, 4, f.data[6:12]), ip), extra})
			continue
		}
		at := func(node int, d time.Duration) time.Time { return f.ci.Timestamp.Add(d + skew[node]) }
		nodes[from] = append(nodes[from], copyAt{at(from, 0), cat(sll2(et, vethOf[from], 0, f.data[6:12]), ip), extra})
		if !cross {
			continue
		}
		to := 1 - from
		ids[from]++
		outer := vxlanFrame(from, ids[from], cat(macPodB, macPodA, f.data[12:14], routed(ip, 1)), len(ip)+extra)
		nodes[from] = append(nodes[from], copyAt{at(from, tunnelDelay), cat(sll2(0x0800, ifEth0, 4, macNA[:6]), outer), extra})
		nodes[to] = append(nodes[to], copyAt{at(to, transit), cat(sll2(0x0800, ifEth0, 0, macNA[:6]), outer), extra})
		nodes[to] = append(nodes[to], copyAt{at(to, deliverDelay), cat(sll2(et, vethOf[to], 4, macNB[:6]), routed(ip, 2)), extra})
	}
	for i, name := range []string{"twonode-a.pcap.gz", "twonode-b.pcap.gz"} {
		slices.SortStableFunc(nodes[i], func(x, y copyAt) int { return x.t.Compare(y.t) })
		p := newSLL2Pcap()
		for _, c := range nodes[i] {
			p.add(c.t, c.data, c.extra)
		}
		p.writeGz(filepath.Join(dir, name))
	}
}

// sender says which pod sent an Ethernet frame of the bridge (0 for A, 1
// for B, -1 for the bridge itself) and whether it goes to the other pod
// as IP unicast.
func sender(eth []byte) (int, bool) {
	var from int
	switch {
	case bytes.Equal(eth[6:12], macPodA):
		from = 0
	case bytes.Equal(eth[6:12], macPodB):
		from = 1
	default:
		return -1, false
	}
	peer := [2][]byte{macPodB, macPodA}[from]
	_, v := ipOf(eth)
	return from, v != 0 && bytes.Equal(eth[0:6], peer)
}

// routed is the IP packet ip after hops routers: TTL or hop limit less
// hops (and the IPv4 header checksum computed again).
func routed(ip []byte, hops byte) []byte {
	ip = bytes.Clone(ip)
	if ip[0]>>4 == 6 {
		ip[7] -= hops
		return ip
	}
	ip[8] -= hops
	ihl := int(ip[0]&0x0f) * 4
	binary.BigEndian.PutUint16(ip[10:], 0)
	var sum uint32
	for i := 0; i+1 < ihl; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	return ip
}

// vxlanFrame is the outer IPv4/UDP/VXLAN headers from node from to the
// other node around the inner Ethernet frame (captured bytes), whose
// length on the wire is innerWire+14; lengths in the headers are the
// wire's.
func vxlanFrame(from int, id uint16, inner []byte, innerWire int) []byte {
	src, dst := nodeA4, nodeB4
	if from == 1 {
		src, dst = nodeB4, nodeA4
	}
	udpLen := 8 + 8 + 14 + innerWire
	h := ipv4(src, dst, 17, 0x4000, nil, nil)
	binary.BigEndian.PutUint16(h[2:], uint16(20+udpLen))
	binary.BigEndian.PutUint16(h[4:], id)
	u := make([]byte, 8)
	binary.BigEndian.PutUint16(u[0:], uint16(41000+from*1000))
	binary.BigEndian.PutUint16(u[2:], vxlanPort)
	binary.BigEndian.PutUint16(u[4:], uint16(udpLen))
	return cat(routed(h, 0), u, []byte{0x08, 0, 0, 0, 0, 0, 1, 0}, inner)
}
