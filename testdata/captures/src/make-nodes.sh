#!/usr/bin/env bash
# Records the node fixtures of testdata/captures: one "node" network
# namespace with a bridge and two "pod" namespaces on it, captured at the
# same time on the bridge (Ethernet) and with `tcpdump -i any` on the node
# (Linux cooked v2, and v1), which sees every pod-to-pod packet on the
# sender's veth, on the bridge (in promiscuous mode because of the bridge
# capture) and on the receiver's veth. Pod A drops every fourth TCP segment
# from pod B's HTTP server, over IPv4 and IPv6, so that B retransmits:
# genuine retransmissions that deduplication must keep. Pod A also sends
# bursts of identical UDP datagrams (IPv4 ID 0, no IPv6 identification):
# genuine packets again. Snap length 128: headers and the first bytes of
# payload, as deduplication needs them, in a few kilobytes.
# Needs root, iproute2, iptables, tcpdump, ping, curl, dig, python3, gzip.
# Usage: make-nodes.sh OUTDIR
set -euo pipefail
out=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.5
	for ns in mcnode mcpoda mcpodb; do ip netns del $ns 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

N="ip netns exec mcnode"
A="ip netns exec mcpoda"
B="ip netns exec mcpodb"
for ns in mcnode mcpoda mcpodb; do ip netns add $ns; ip netns exec $ns ip link set lo up; done
$N ip link add br0 type bridge
$N ip link set br0 up
for p in a b; do
	$N ip link add vpod$p type veth peer name eth0 netns mcpod$p
	$N ip link set vpod$p master br0
	$N ip link set vpod$p up
done
$A ip link set eth0 address 02:00:00:00:01:0a
$B ip link set eth0 address 02:00:00:00:01:0b
$A ip addr add 10.98.0.1/24 dev eth0
$B ip addr add 10.98.0.2/24 dev eth0
$A ip addr add fd98::1/64 dev eth0 nodad
$B ip addr add fd98::2/64 dev eth0 nodad
$A ip link set eth0 up
$B ip link set eth0 up
# Pod A loses every fourth segment from B's server: B retransmits it.
$A iptables -A INPUT -p tcp --sport 8000 -m statistic --mode nth --every 4 --packet 2 -j DROP
$A ip6tables -A INPUT -p tcp --sport 8000 -m statistic --mode nth --every 4 --packet 2 -j DROP

mkdir -p "$work/www"
head -c 6000 /dev/urandom | base64 -w 0 > "$work/www/file.txt"
(cd "$work/www" && exec timeout 30 $B python3 -m http.server 8000 --bind :: >/dev/null 2>&1) &
pids+=($!)
timeout 30 $B python3 "$here/dnsserver.py" 10.98.0.2 25 &
pids+=($!)
sleep 2

timeout 30 $N tcpdump -U -n -s 128 -i br0 --time-stamp-precision=nano -w "$work/bridge.pcap" 2>/dev/null &
pids+=($!)
timeout 30 $N tcpdump -U -n -s 128 -i any -y LINUX_SLL2 --time-stamp-precision=nano -w "$work/any.pcap" 2>/dev/null &
pids+=($!)
timeout 30 $N tcpdump -U -n -s 128 -i any -y LINUX_SLL -w "$work/any-sll.pcap" 2>/dev/null &
pids+=($!)
sleep 2

$A ping -c 3 -i 0.2 10.98.0.2 >/dev/null
$A ping -c 1 -s 3000 10.98.0.2 >/dev/null                  # IPv4 fragments
$A ping -6 -c 2 -i 0.2 fd98::2 >/dev/null
$A ping -6 -c 1 -s 3000 fd98::2 >/dev/null                 # IPv6 fragment headers
sleep 0.5
$A curl -s -o /dev/null --max-time 10 http://10.98.0.2:8000/file.txt
$A curl -s -o /dev/null --max-time 10 "http://[fd98::2]:8000/file.txt"
sleep 0.5
$A dig +tries=1 +time=2 @10.98.0.2 catalogue.shop.svc.cluster.local A >/dev/null
$A dig +tcp +tries=1 +time=2 @10.98.0.2 db.shop.svc.cluster.local AAAA >/dev/null
# Identical datagrams, three in a row, from unconnected sockets.
$A python3 -c '
import socket
for fam, dst in ((socket.AF_INET, "10.98.0.2"), (socket.AF_INET6, "fd98::2")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for _ in range(3):
        s.sendto(b"the same datagram, again and again", (dst, 9999))
'
sleep 1.5

for p in "${pids[@]:2}"; do kill -INT "$p" 2>/dev/null || true; done
sleep 1
gzip -9 -n -c "$work/bridge.pcap" > "$out/node-bridge.pcap.gz"
gzip -9 -n -c "$work/any.pcap" > "$out/node-any.pcap.gz"
gzip -9 -n -c "$work/any-sll.pcap" > "$out/node-any-sll.pcap.gz"
