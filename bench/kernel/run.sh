#!/usr/bin/env bash
# The real Linux kernel on this machine, measured like TcpActors' whole-run benchmarks:
#   memory.c      kernel bytes per ESTABLISHED socket / connection and per TIME_WAIT entry
#   lifecycles.c  complete TCP connection lifecycles per wall-clock second and per CPU second
# Each run gets a fresh network namespace (tcpactors-bench) holding only lo: every packet stays on
# loopback inside it. The programs are built with gcc -O2 into a temporary directory and pinned to
# one CPU with taskset. The namespace and the directory are removed on exit, whatever happens.
#
# usage: sudo bench/kernel/run.sh [-r runs=3] [-d seconds=10] [-c concurrency=50] [-q request-bytes=100]
#                                 [-s response-bytes=100] [-n connections=100000] [-w tw-expiry-wait=65]
#                                 [-C cpu=1] [-L (lifecycles only)] [-M (memory only)]
set -euo pipefail

RUNS=3 DURATION=10 CONCURRENCY=50 REQ=100 RESP=100 CONNECTIONS=100000 TW_WAIT=65 CPU=1
DO_LIFECYCLES=1 DO_MEMORY=1
NS=tcpactors-bench
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "run.sh: $*" >&2; exit 2; }
usage() { sed -n '/^# usage:/,/-M (memory only)/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while getopts "r:d:c:q:s:n:w:C:LMh" opt; do
    case $opt in
        r) RUNS=$OPTARG ;;
        d) DURATION=$OPTARG ;;
        c) CONCURRENCY=$OPTARG ;;
        q) REQ=$OPTARG ;;
        s) RESP=$OPTARG ;;
        n) CONNECTIONS=$OPTARG ;;
        w) TW_WAIT=$OPTARG ;;
        C) CPU=$OPTARG ;;
        L) DO_MEMORY=0 ;;
        M) DO_LIFECYCLES=0 ;;
        *) usage ;;
    esac
done

[[ $EUID -eq 0 ]] || die "must run as root (network namespaces, /proc/slabinfo); try: sudo $0 $*"
for tool in gcc ip taskset; do
    command -v "$tool" >/dev/null || die "$tool not found (gcc: apt-get install gcc; ip: iproute2; taskset: util-linux)"
done
[[ -r /proc/slabinfo ]] || die "/proc/slabinfo is not readable"
ip netns list | grep -qw "^$NS" && die "namespace $NS already exists (another run?); remove it with: ip netns del $NS"

TMP=$(mktemp -d /tmp/tcpactors-kbench.XXXXXX)
NS_CREATED=0
cleanup() {
    if [[ $NS_CREATED -eq 1 ]]; then ip netns del "$NS" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gcc -O2 -Wall -o "$TMP/lifecycles" "$HERE/lifecycles.c"
gcc -O2 -Wall -o "$TMP/memory" "$HERE/memory.c"

ns_up() {
    ip netns add "$NS"
    NS_CREATED=1
    ip -n "$NS" link set lo up # 127.0.0.0/8 is on lo: 127.0.0.2 .. need no address of their own
}
ns_down() {
    ip netns del "$NS"
    NS_CREATED=0
    # The namespace's sockets (TIME_WAIT entries too) are freed by a kernel worker afterwards:
    # wait until tw_sock_TCP stops moving, so the next run's slab baseline is still.
    local last=-1 now i
    for i in $(seq 1 30); do
        sleep 1
        now=$(awk '$1 == "tw_sock_TCP" { print $2 }' /proc/slabinfo)
        [[ $now == "$last" ]] && break
        last=$now
    done
}
in_ns() { ip netns exec "$NS" taskset -c "$CPU" "$@"; }

echo "kernel: $(uname -r); $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)); pinned to CPU $CPU; load average $(cut -d' ' -f1-3 /proc/loadavg)"
ns_up
echo "namespace $NS: $(ip netns exec "$NS" sysctl -n net.ipv4.tcp_tw_reuse | sed 's/^/tcp_tw_reuse=/'), $(ip netns exec "$NS" sysctl -n net.ipv4.tcp_max_tw_buckets | sed 's/^/tcp_max_tw_buckets=/'), ip_local_port_range=$(ip netns exec "$NS" sysctl -n net.ipv4.ip_local_port_range | tr '\t' -), somaxconn=$(ip netns exec "$NS" sysctl -n net.core.somaxconn)"
ns_down

if [[ $DO_MEMORY -eq 1 ]]; then
    # First, while no namespace of ours is tearing down TIME_WAIT entries behind the slab counts.
    for i in $(seq 1 "$RUNS"); do
        echo "--- memory, run $i of $RUNS: memory -n $CONNECTIONS -q $REQ -s $RESP -w $TW_WAIT"
        ns_up
        in_ns "$TMP/memory" -n "$CONNECTIONS" -q "$REQ" -s "$RESP" -w "$TW_WAIT" | tee "$TMP/memory.$i"
        ns_down
    done
fi

if [[ $DO_LIFECYCLES -eq 1 ]]; then
    for i in $(seq 1 "$RUNS"); do
        echo "--- lifecycles, run $i of $RUNS: lifecycles -d $DURATION -c $CONCURRENCY -q $REQ -s $RESP (load average $(cut -d' ' -f1 /proc/loadavg))"
        ns_up
        in_ns "$TMP/lifecycles" -d "$DURATION" -c "$CONCURRENCY" -q "$REQ" -s "$RESP" | tee "$TMP/lifecycles.$i"
        ns_down
    done
fi

echo "--- summary ($RUNS runs each; the machine may be shared, so read the best and the spread)"
if [[ $DO_MEMORY -eq 1 ]]; then
    for i in $(seq 1 "$RUNS"); do
        f=$TMP/memory.$i
        est=$(sed -n 's/.*ESTABLISHED, all slab caches less .*objects [^=]*= \([0-9]*\) B per socket = \([0-9]*\) B per connection/\1 B per socket, \2 B per connection/p' "$f")
        [[ -n $est ]] || est=$(sed -n 's/.*ESTABLISHED, all slab caches: objects [^=]*= \([0-9]*\) B per socket = \([0-9]*\) B per connection/\1 B per socket, \2 B per connection/p' "$f")
        entry=$(sed -n 's/.*TIME_WAIT, the entry itself: .*= \([0-9]*\) B per entry/\1/p' "$f")
        back=$(sed -n 's/.*TIME_WAIT given back at expiry, all slab caches: objects [^=]*= \([0-9-]*\) B per entry/\1/p' "$f")
        if [[ -n $back ]]; then back="$back B per entry"; else back="not measured (-w 0)"; fi
        echo "memory run $i: ESTABLISHED (all slab objects, observer's /proc entries taken off) $est; TIME_WAIT: tw_sock_TCP ${entry:-?} B per entry, all slab objects given back at expiry $back"
    done
fi
if [[ $DO_LIFECYCLES -eq 1 ]]; then
    walls=() cpus=()
    for i in $(seq 1 "$RUNS"); do
        walls+=("$(sed -n 's/^kernel lifecycles: .* = \([0-9]*\) lifecycles\/s;.*/\1/p' "$TMP/lifecycles.$i")")
        cpus+=("$(sed -n 's/^kernel lifecycles: \([0-9]*\) per CPU second.*/\1/p' "$TMP/lifecycles.$i")")
    done
    best() { printf '%s\n' "$@" | sort -n | tail -1; }
    echo "lifecycles: best of $RUNS = $(best "${walls[@]}") lifecycles/s wall (runs: ${walls[*]}); best $(best "${cpus[@]}") per CPU second (runs: ${cpus[*]})"
fi
