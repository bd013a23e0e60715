#!/usr/bin/env bash
# Records the real captures of testdata/captures in two network namespaces
# joined by a veth pair, then derives the other real fixtures with editcap,
# mergecap and gzip. Needs root, iproute2, tcpdump, ping, curl, dig,
# python3, editcap, mergecap. All traffic stays inside the namespaces.
# Usage: make-real.sh OUTDIR
set -euo pipefail
out=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.5
	ip netns del h1a 2>/dev/null || true
	ip netns del h1b 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

A="ip netns exec h1a"
B="ip netns exec h1b"
ip netns add h1a
ip netns add h1b
ip link add va type veth peer name vb
ip link set va netns h1a
ip link set vb netns h1b
for ns in h1a h1b; do ip netns exec $ns ip link set lo up; done
$A ip link set va address 02:00:00:00:00:0a
$B ip link set vb address 02:00:00:00:00:0b
$A ip addr add 10.99.0.1/24 dev va
$B ip addr add 10.99.0.2/24 dev vb
$A ip addr add fd99::1/64 dev va nodad
$B ip addr add fd99::2/64 dev vb nodad
for l in va; do $A ip link set $l up; done
for l in vb; do $B ip link set $l up; done

# Servers in h1b, each with its own time limit.
mkdir -p "$work/www"
head -c 3000 /dev/urandom | base64 > "$work/www/file.txt"
echo hello > "$work/www/index.html"
(cd "$work/www" && exec timeout 40 $B python3 -m http.server 8000 --bind :: >/dev/null 2>&1) &
pids+=($!)
timeout 40 $B python3 "$here/dnsserver.py" 10.99.0.2 35 &
pids+=($!)
sleep 1

# Captures in h1a: the veth (Ethernet), and "any" as Linux cooked v1 and v2.
timeout 40 $A tcpdump -U -n -i va --time-stamp-precision=nano -w "$work/eth.pcap" 2>/dev/null &
pids+=($!)
timeout 40 $A tcpdump -U -n -i any -y LINUX_SLL -w "$work/sll.pcap" 2>/dev/null &
pids+=($!)
timeout 40 $A tcpdump -U -n -i any -y LINUX_SLL2 --time-stamp-precision=nano -w "$work/sll2.pcap" 2>/dev/null &
pids+=($!)
sleep 2

# Traffic, in phases a second or so apart so that short windows differ.
$A ping -c 3 -i 0.2 10.99.0.2 >/dev/null
$A ping -c 2 -i 0.2 -s 3000 10.99.0.2 >/dev/null           # IPv4 fragments
sleep 1
$A ping -6 -c 2 -i 0.2 fd99::2 >/dev/null
$A ping -6 -c 2 -i 0.2 -s 3000 fd99::2 >/dev/null          # IPv6 fragment headers
sleep 1
$A curl -s -o /dev/null http://10.99.0.2:8000/index.html
$A curl -s -o /dev/null http://10.99.0.2:8000/file.txt
$A curl -s -o /dev/null "http://[fd99::2]:8000/index.html"
sleep 1
$A dig +tries=1 +time=2 @10.99.0.2 catalogue.shop.svc.cluster.local A >/dev/null
$A dig +tries=1 +time=2 @10.99.0.2 www.example.co.uk AAAA >/dev/null
$A dig +tries=1 +time=2 @10.99.0.2 aGVsbG8gd29ybGQgZXhmaWx0cmF0aW9u.t.example.com TXT >/dev/null
$A dig +tries=1 +time=2 @10.99.0.2 missing.nx.example A >/dev/null
$A dig +tcp +tries=1 +time=2 @10.99.0.2 db.shop.svc.cluster.local A >/dev/null
sleep 1
$A bash -c 'exec 3<>/dev/tcp/10.99.0.2/9; echo x >&3' 2>/dev/null || true   # RST
sleep 1

for p in "${pids[@]:2}"; do kill -INT "$p" 2>/dev/null || true; done
sleep 1

cp "$work/eth.pcap" "$out/eth-nano.pcap"
editcap -F pcap "$work/eth.pcap" "$out/eth-micro.pcap"
cp "$work/sll.pcap" "$out/sll.pcap"
cp "$work/sll2.pcap" "$out/sll2-nano.pcap"
editcap -F modpcap "$work/eth.pcap" "$out/eth-modified.pcap"
# Two interfaces with different link types and timestamp resolutions:
# the Ethernet capture as microsecond pcapng, the SLL2 one nanosecond.
editcap -F pcapng "$out/eth-micro.pcap" "$work/eth-micro.pcapng"
editcap -F pcapng "$work/sll2.pcap" "$work/sll2.pcapng"
mergecap -F pcapng -w "$out/multi.pcapng" "$work/eth-micro.pcapng" "$work/sll2.pcapng"
gzip -9 -n -c "$out/eth-micro.pcap" > "$out/eth-micro.pcap.gz"
gzip -9 -n -c "$out/multi.pcapng" > "$out/multi.pcapng.gz"
rm "$out/multi.pcapng"
