// Command scale builds large inputs for mimir-tui from a committed
// scenario directory (testdata/scenarios/<name>): a capture and an entity
// log holding N copies of the application side by side, and optionally
// the whole repeated back to back in time (issue 11's scaling benchmark,
// .ci/bench-scale.sh).
//
//	go run ./testdata/scenarios/scale -copies 16 -o /tmp/x16 testdata/scenarios/benign
//	go run ./testdata/scenarios/scale -copies 16 -attack direct-exfil:3 -trim -o /tmp/x16a testdata/scenarios/benign
//	go run ./testdata/scenarios/scale -duration 24h -gzip -o /tmp/day testdata/scenarios/benign
//
// # Copies
//
// Copy 0 is the source unchanged, so a 1× build is the source. Copy k > 0
// is renamed and renumbered:
//
//   - services, owners and controllers get the suffix -k<k>
//     (catalogue → catalogue-k3); pods get it after their service's name
//     (catalogue-k28qrjdrsm-jf29z → catalogue-k3-k28qrjdrsm-jf29z, so the
//     pod still reads as a pod of catalogue-k3); namespaces get it too,
//     except kube-system, which the engine recognises by name. Labels are
//     kept; every pod names its (renamed) service as owner, so no
//     selector can match another copy's pods.
//   - each copy has its own kube-dns (kube-dns-k3, with its own pod): the
//     copy's pods keep asking their own DNS pod, so every copy's traffic
//     has exactly the source's pattern, and the services number 8 per
//     copy for the shop application, as in the table.
//   - the source's pod range (the common prefix of the log's pod
//     addresses, at most /24: 10.244.0.0/24) moves to the k-th block of
//     that size after it (10.244.k.0/24), the node gateway with it; the
//     blocks must stay in the source's /8 and clear of the service range.
//     The engine infers 10.244.0.0/18 for 64 copies. Service addresses
//     (the log's ClusterIPs, and any wire address in their range) get
//     free addresses of the service range (10.96.0.0/16): copy k tries
//     host + k·7919 and the next free ones.
//   - outside addresses (203.0.113.0/24, 198.51.100.0/24: everything
//     neither pod nor service) stay: the copies share the outside world.
//   - unicast MAC addresses get k XORed into bytes 1-2, so no two copies
//     share a MAC; broadcast and multicast stay.
//
// Every frame of the source is emitted once per copy, at the same
// timestamp, in the source's order (copies of a frame consecutive). The
// rewrite maps the IPv4 source and destination, the datagram quoted in an
// ICMP error, ARP's addresses and the IPv4 addresses in DNS A records
// over UDP; it recomputes the IPv4 header checksum and updates TCP, UDP
// and ICMP checksums incrementally (RFC 1624), so a checksum that was
// right stays right — most TCP and UDP checksums in the scenarios were
// never right, because of checksum offload on the veth links, and stay as
// they were. No length changes, so every copy's per-pair frames and bytes
// are the source's. DNS names are not renamed (that would change lengths):
// every copy asks for catalogue.default.svc.cluster.local and gets its own
// pods' addresses. IPv6 is refused.
//
// -attack SCENARIO:COPY makes copy COPY replay another scenario (its
// directory, or a sibling of SRC_DIR such as direct-exfil). Its first
// packet is aligned with the base's, so its windows are those it has when
// analysed alone; a shorter scenario (the attack scenarios last 240 s,
// benign 300 s) leaves its copy silent at the end unless -trim cuts every
// copy at the shortest source's last packet. ground_truth.json lists every
// attack of every copy's source, once per repetition, with times moved to
// the output's time base (capture start: the base's), services, pods and
// addresses renamed, and the first and last 10 s and 60 s window the
// attack touches (windows_10s, windows_60s, numbered from the first
// packet as mimir-tui numbers them); sensitive services are listed for
// every copy.
//
// # Repetitions
//
// -repeat K or -duration D repeats the whole program back to back:
// repetition r is shifted by r·period, where the period is the span from
// the first to the last packet plus at least a second, rounded up to a
// multiple of -align (1m), so that every repetition starts on a 10 s and
// 60 s window boundary of the first (benign: span 296.4 s, period 300 s).
//
// Pods keep their names and addresses across repetitions, and the entity
// log is replayed so that at every instant every address on the wire
// resolves to the pod that held it at the same instant of the source:
// only changes are written. A pod added during the source (the new
// front-end, the second carts) stays live into the next repetition and is
// not added again (it is idle there until its source time); a pod deleted
// during the source (the replaced front-end) is added again before the
// next repetition and deleted again at its source time; an add that
// takes an address another live entity holds deletes that one first. In
// later repetitions the events from before the first packet are moved to
// half the gap before the repetition, and in all but the last those after
// the last packet to a quarter of the gap after it, so repetitions'
// events never interleave.
//
// The output is streamed: the sources are held in memory, the output
// never is, whatever its length. The exact uncompressed size is printed
// before anything is written; outputs go to temporary files renamed into
// place only when all are complete (Ctrl-C leaves nothing behind).
//
// # What a detector could notice
//
// The copies are perfectly synchronised: the same frame appears N times
// at the same nanosecond with the same sizes, TCP ports, sequence numbers
// and DNS transaction IDs, and the same DNS names. The outside hosts see
// N times the traffic (N clients with the same behaviour). Repetitions
// repeat exactly, with a short silence (the gap) between them and
// connections cut at the repetition boundary as at the source's ends.
package main
