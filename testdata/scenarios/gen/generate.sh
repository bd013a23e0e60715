#!/usr/bin/env bash
# Generate the scenario captures of testdata/scenarios in Linux network namespaces.
#
# usage: sudo testdata/scenarios/gen/generate.sh [-j PARALLEL] [SCENARIO...]
#   SCENARIO: benign direct-exfil multi-hop dns-tunnel port-scan new-service beacon stealthy-exfil
#             admin-probe two-node (default: all)
#   -j: how many scenarios run at the same time (default 1; each uses its own namespaces)
#
# Needs root, python3, iproute2, dumpcap, dnsmasq, redis-server (see ../README.md).
# Each scenario is bounded by `timeout`; on exit, error or signal the trap ends every process
# we started by its process-group id and deletes every namespace we created.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
jobs=1
if [[ ${1:-} == -j ]]; then jobs=$2; shift 2; fi
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=(benign direct-exfil multi-hop dns-tunnel port-scan new-service beacon
                                          stealthy-exfil admin-probe two-node)

[[ $(id -u) -eq 0 ]] || { echo "generate.sh: needs root (network namespaces, packet capture)" >&2; exit 1; }
for tool in ip dumpcap dnsmasq redis-server python3 timeout tcpdump editcap ethtool; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool not found; apt-get install iproute2 tshark dnsmasq-base redis-server tcpdump ethtool" >&2; exit 1; }
done

scratch=${H6_SCRATCH:-/tmp/h6-scenarios}
mkdir -p "$scratch"
orch_pids=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${orch_pids[@]:-}"; do
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 20); do  # give the orchestrators up to 10 s to tear down themselves
    alive=0
    for pid in "${orch_pids[@]:-}"; do [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.5
  done
  for s in "${scenarios[@]}"; do
    st=$scratch/$s
    if [[ -f $st/pids ]]; then
      while read -r pid; do kill -TERM -- "-$pid" 2>/dev/null || true; done <"$st/pids"
      sleep 1
      while read -r pid; do kill -KILL -- "-$pid" 2>/dev/null || true; done <"$st/pids"
    fi
    if [[ -f $st/netns ]]; then
      tac "$st/netns" | while read -r ns; do ip netns del "$ns" 2>/dev/null || true; done
    fi
  done
  exit "$rc"
}
trap cleanup EXIT INT TERM

run_one() {
  local s=$1 st=$scratch/$1
  rm -rf "$st"
  mkdir -p "$st" "$top/$s"
  # a 420 s capture + setup + teardown stays far below 900 s. exec: the background job's PID
  # is then timeout's own, and a TERM to it reaches the orchestrator, which tears down.
  exec timeout -k 10 900 python3 "$here/orchestrate.py" --scenario "$s" --out "$top/$s" --state "$st" \
    >"$st/run.txt" 2>&1
}

failed=0
pending=("${scenarios[@]}")
declare -A name_of=()
while [[ ${#pending[@]} -gt 0 || ${#orch_pids[@]} -gt 0 ]]; do
  while [[ ${#pending[@]} -gt 0 && ${#orch_pids[@]} -lt $jobs ]]; do
    s=${pending[0]}
    pending=("${pending[@]:1}")
    run_one "$s" &
    orch_pids+=("$!")
    name_of[$!]=$s
    echo "started $s (pid $!)"
  done
  wait -n "${orch_pids[@]}" || true
  still=()
  for pid in "${orch_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      still+=("$pid")
    else
      if wait "$pid"; then
        echo "done ${name_of[$pid]}"
      else
        echo "FAILED ${name_of[$pid]}: see $scratch/${name_of[$pid]}/run.txt" >&2
        failed=1
      fi
    fi
  done
  orch_pids=("${still[@]:-}")
  [[ -n ${orch_pids[0]:-} ]] || orch_pids=()
done

for s in "${scenarios[@]}"; do
  [[ -f $top/$s/ground_truth.json ]] || continue
  check=verify.py
  [[ $s == two-node ]] && check=verify_nodes.py
  timeout 600 python3 "$top/$check" "$top/$s" >"$top/$s/verification.txt" || failed=1
  tail -n 1 "$top/$s/verification.txt" | sed "s/^/$s: /"
done
exit "$failed"
