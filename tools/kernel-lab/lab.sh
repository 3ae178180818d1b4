#!/usr/bin/env bash
# kernel-lab: network-namespace topologies for recording real Linux TCP behaviour.
#
# Two ways to use it:
#   lab.sh up loopback PREFIX   one namespace PREFIX-l, lo up, everything on 127.0.0.1
#   lab.sh up routed PREFIX     PREFIX-c (10.0.1.2/24) -- PREFIX-r (10.0.1.1, 10.0.2.1, forwarding)
#                               -- PREFIX-s (10.0.2.2/24), veth pairs c0<->rc and rs<->s0
#   lab.sh down PREFIX          delete every namespace PREFIX-* (and end the processes in them)
# or `source lab.sh` from an experiment script and use the lab_* functions below, which also
# record everything the result file needs (sysctls, iptables lines with times, captures, ss).
#
# Only ever traffic inside namespaces created here. Every wait is bounded.

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_REPO="$(cd "$LAB_DIR/../.." && pwd)"
LAB_OUT_DIR="${LAB_OUT_DIR:-$LAB_REPO/tests/reference/kernel}"
LAB_DRIVER="$LAB_DIR/driver.py"
CLIENT_IP=10.0.1.2
ROUTER_CIP=10.0.1.1
ROUTER_SIP=10.0.2.1
SERVER_IP=10.0.2.2

lab_up_loopback() {
  local p=$1
  ip netns add "$p-l" || return 1
  ip -n "$p-l" link set lo up
}

lab_up_routed() {
  local p=$1
  ip netns add "$p-c" && ip netns add "$p-r" && ip netns add "$p-s" || return 1
  for n in c r s; do ip -n "$p-$n" link set lo up; done
  # concurrent `ip netns add` calls can race; retry the veth creation (bounded)
  local try
  for try in 1 2 3 4 5; do
    ip -n "$p-c" link show c0 >/dev/null 2>&1 || ip -n "$p-c" link add c0 type veth peer name rc netns "$p-r"
    ip -n "$p-s" link show s0 >/dev/null 2>&1 || ip -n "$p-s" link add s0 type veth peer name rs netns "$p-r"
    ip -n "$p-c" link show c0 >/dev/null 2>&1 && ip -n "$p-s" link show s0 >/dev/null 2>&1 && break
    sleep 0.3
  done
  ip -n "$p-c" addr add $CLIENT_IP/24 dev c0
  ip -n "$p-r" addr add $ROUTER_CIP/24 dev rc
  ip -n "$p-r" addr add $ROUTER_SIP/24 dev rs
  ip -n "$p-s" addr add $SERVER_IP/24 dev s0
  ip -n "$p-c" link set c0 up; ip -n "$p-r" link set rc up
  ip -n "$p-r" link set rs up; ip -n "$p-s" link set s0 up
  ip netns exec "$p-r" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$p-c" route add default via $ROUTER_CIP
  ip -n "$p-s" route add default via $ROUTER_SIP
  # wait (bounded) until the path works so the first SYN is not lost to neighbour discovery
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    # no ping here: a TCP probe to the closed port 9 must come back refused (RST), before any capture
    ip netns exec "$p-c" python3 -c "
import socket, sys
s = socket.socket(); s.settimeout(1)
try: s.connect(('$SERVER_IP', 9))
except ConnectionRefusedError: sys.exit(0)
except OSError: sys.exit(1)
sys.exit(1)" && return 0
  done
  echo "lab: routed topology $p does not pass traffic" >&2
  return 1
}

lab_down() {
  local p=$1 ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$p-[lcrs]$"); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    sleep 0.2
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns"
  done
}

# ---------------------------------------------------------------- experiment helpers
# lab_init NAME TOPOLOGY PREFIX "one-line description"
lab_init() {
  LAB_NAME=$1; LAB_TOPO=$2; LAB_P=$3; LAB_DESC=$4
  LAB_WORK=/tmp/kernel-lab/$LAB_NAME
  rm -rf "$LAB_WORK"; mkdir -p "$LAB_WORK" "$LAB_OUT_DIR"
  LAB_CALLS=$LAB_WORK/calls.log; LAB_SS=$LAB_WORK/ss.log
  : >"$LAB_CALLS"; : >"$LAB_SS"; : >"$LAB_WORK/sysctls"; : >"$LAB_WORK/notes"
  LAB_CAPS=(); LAB_BG=()
  lab_down "$LAB_P"
  case $LAB_TOPO in
    loopback) lab_up_loopback "$LAB_P"; NS_C=$LAB_P-l; NS_S=$LAB_P-l; NS_R=; CIP=127.0.0.1; SIP=127.0.0.1 ;;
    routed) lab_up_routed "$LAB_P" || exit 1; NS_C=$LAB_P-c; NS_S=$LAB_P-s; NS_R=$LAB_P-r; CIP=$CLIENT_IP; SIP=$SERVER_IP ;;
    *) echo "unknown topology $LAB_TOPO" >&2; return 2 ;;
  esac
  trap lab_cleanup EXIT
  read -r LAB_T0 LAB_T0_WALL < <(python3 "$LAB_DRIVER" t0)
  export LAB_T0 LAB_CALLS
  LAB_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
}

lab_cleanup() {
  local pid
  for pid in "${LAB_BG[@]}"; do kill "$pid" 2>/dev/null; done
  lab_down "$LAB_P"
}

# Harness clock: EPOCHREALTIME minus the wall time sampled together with LAB_T0 (no process start,
# so actions land within a few ms of the requested time; drift against CLOCK_MONOTONIC is negligible).
lab_now() { awk -v a="$EPOCHREALTIME" -v b="$LAB_T0_WALL" 'BEGIN { printf "%.3f", a - b }'; }
lab_log() { local role=$1; shift; printf 't=%s %s %s\n' "$(lab_now)" "$role" "$*" >>"$LAB_CALLS"; }
lab_at() {
  local d
  d=$(awk -v t="$1" -v a="$EPOCHREALTIME" -v b="$LAB_T0_WALL" 'BEGIN { d = t - (a - b); if (d < 0) d = 0; printf "%.3f", d }')
  sleep "$d"
}
lab_note() { echo "$*" >>"$LAB_WORK/notes"; }

# lab_sysctl NS key=value...  (recorded in the header)
lab_sysctl() {
  local ns=$1; shift
  local kv
  for kv in "$@"; do
    ip netns exec "$ns" sysctl -qw "$kv" || echo "sysctl $kv failed in $ns" >&2
    echo "$ns: $kv" >>"$LAB_WORK/sysctls"
  done
}

# lab_ipt NS iptables-args...  (runs and logs with the time)
lab_ipt() {
  local ns=$1; shift
  local t; t=$(lab_now)
  ip netns exec "$ns" iptables "$@"
  printf 't=%s %s %s\n' "$t" "lab[$ns]" "iptables $* (in effect by t=$(lab_now))" >>"$LAB_CALLS"
}

# lab_ipt_counters NS : logs the packet counters of every rule (into calls)
lab_ipt_counters() {
  local ns=$1 line
  ip netns exec "$ns" iptables -L -v -n -x | grep -vE '^$|^Chain|pkts' | while read -r line; do
    lab_log "lab[$ns]" "counter: $line"
  done
}

# lab_delay_line MS [KBIT]   (routed only) replaces the router's forwarding by delayline.py: every packet waits MS
# milliseconds in the router, each way (RTT = 2 × MS), after being serialised at KBIT kbit/s if given. sch_netem is not in this kernel, so this stands in for
# `tc qdisc add dev rc root netem delay MS`. The hosts' interfaces send one segment per skb (gso_max_segs 1),
# which is also how the simulator sends. Recorded in the notes; the router's frame counts at the end.
lab_delay_line() {
  local ms=$1 rate=${2:-0} cmac smac
  cmac=$(ip netns exec "$NS_C" cat /sys/class/net/c0/address)
  smac=$(ip netns exec "$NS_S" cat /sys/class/net/s0/address)
  ip -n "$NS_C" link set c0 gso_max_segs 1
  ip -n "$NS_S" link set s0 gso_max_segs 1
  ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=0
  # real-time priority where allowed, so that a busy machine does not stretch the delay
  local rt=""; chrt -f 10 true 2>/dev/null && rt="chrt -f 10"
  ip netns exec "$NS_R" timeout "${LAB_PY_TIMEOUT:-300}" $rt python3 -u "$LAB_DIR/delayline.py" --delay-ms "$ms" --rate-kbit "$rate" \
    --left rc "$cmac" --right rs "$smac" --stats "$LAB_WORK/delayline.stats" 2>>"$LAB_WORK/python.err" &
  LAB_BG+=($!); LAB_DELAY_PID=$!
  lab_note "router: tools/kernel-lab/delayline.py${rt:+ ($rt)} forwards with a one-way delay of $ms ms${2:+ at $rate kbit/s each way} (ip_forward=0; no netem in this kernel); c0 and s0: gso_max_segs 1"
  # wait (bounded) until a probe to the closed port 9 comes back refused through the delay line
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    ip netns exec "$NS_C" python3 -c "
import socket, sys
s = socket.socket(); s.settimeout(2)
try: s.connect(('$SERVER_IP', 9))
except ConnectionRefusedError: sys.exit(0)
except OSError: sys.exit(1)
sys.exit(1)" && return 0
    sleep 0.2
  done
  echo "lab: the delay line does not pass traffic" >&2
  return 1
}

# lab_delay_line_stop: stops delayline.py (before lab_finish) and notes how many frames it forwarded
lab_delay_line_stop() {
  [ -n "$LAB_DELAY_PID" ] || return 0
  kill -TERM "$LAB_DELAY_PID" 2>/dev/null
  local i; for i in $(seq 1 30); do kill -0 "$LAB_DELAY_PID" 2>/dev/null || break; sleep 0.1; done
  [ -s "$LAB_WORK/delayline.stats" ] && lab_note "delay line frames sent (per router interface): $(cat "$LAB_WORK/delayline.stats")"
  LAB_DELAY_PID=
}

# lab_tcpdump NS IF TAG [filter...]   capture to $LAB_WORK/TAG.pcap
lab_tcpdump() {
  local ns=$1 ifc=$2 tag=$3; shift 3
  ip netns exec "$ns" tcpdump -i "$ifc" -n -s 200 -U -w "$LAB_WORK/$tag.pcap" "$@" 2>"$LAB_WORK/$tag.tcpdump.err" &
  LAB_BG+=($!); LAB_CAPS+=("$tag:$ns:$ifc:$!")
  local i
  for i in $(seq 1 50); do grep -q "listening on" "$LAB_WORK/$tag.tcpdump.err" 2>/dev/null && break; sleep 0.1; done
}

# lab_py NS ROLE < script   run a python driver script in NS (foreground); use & for background
lab_py() {
  local ns=$1
  ip netns exec "$ns" env PYTHONPATH="$LAB_DIR" LAB_T0="$LAB_T0" LAB_CALLS="$LAB_CALLS" \
    CIP="$CIP" SIP="$SIP" timeout "${LAB_PY_TIMEOUT:-300}" python3 -u - 2>>"$LAB_WORK/python.err"
}

# lab_py_reading_server NS [READS]   the transfer experiments' server: 8080 on SIP, accept one, read to EOF (at most
# READS recv() calls, default 400), close
lab_py_reading_server() {
  LAB_READS=${2:-400} lab_py "$1" <<'PY'
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv_until_eof(int(os.environ["LAB_READS"]))
c.close()
PY
}

# lab_py_sending_client NS BYTES   connect CIP:40000 -> SIP:8080 at 1 s, write BYTES at 2 s, SHUT_WR, wait for EOF, close
lab_py_sending_client() {
  LAB_BYTES=$2 lab_py "$1" <<'PY'
import driver as d, os, socket
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0)
s.sendall(int(os.environ["LAB_BYTES"]), b"a")
s.shutdown(socket.SHUT_WR)
s.recv()
s.close()
PY
}

# lab_ss NS LABEL [ss filter...]   snapshot of `ss -tanoi` in NS
lab_ss() {
  local ns=$1 label=$2; shift 2
  python3 "$LAB_DRIVER" snap "$ns $label" "$LAB_SS" -- ip netns exec "$ns" ss -tanoi "$@"
}

# lab_ss_at NS LABEL T1,T2,...  (background) snapshots at those times from one process started now in NS, so
# each lands within a few ms of its time (lab_ss starts a process per snapshot, ~0.1 s late)
lab_ss_at() {
  local ns=$1 label=$2 times=$3
  ip netns exec "$ns" env LAB_T0="$LAB_T0" timeout "${LAB_PY_TIMEOUT:-300}" \
    python3 "$LAB_DRIVER" snaps "$ns $label" "$LAB_SS" "$times" -- ss -tanoi &
  LAB_BG+=($!)
}

# lab_ss_every NS INTERVAL COUNT LABEL  (background, bounded)
lab_ss_every() {
  local ns=$1 iv=$2 n=$3 label=$4 i
  ( for i in $(seq 1 "$n"); do lab_ss "$ns" "$label #$i"; sleep "$iv"; done ) &
  LAB_BG+=($!)
}

# lab_wait_jobs: wait for this script's background jobs except captures and LAB_BG helpers
lab_wait_jobs() {
  local j
  for j in $(jobs -p); do
    printf '%s\n' "${LAB_BG[@]}" | grep -qx "$j" || wait "$j"
  done
}

lab_stop_captures() {
  local c pid
  sleep 0.5
  for c in "${LAB_CAPS[@]}"; do
    pid=${c##*:}
    kill -INT "$pid" 2>/dev/null
  done
  for c in "${LAB_CAPS[@]}"; do
    pid=${c##*:}
    local i; for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}

# lab_finish [KEY=VALUE header lines...]  write tests/reference/kernel/NAME.txt
lab_finish() {
  lab_stop_captures
  local out=$LAB_OUT_DIR/$LAB_NAME.txt
  local first_tag=${LAB_CAPS[0]%%:*}
  local c tag ns ifc
  for c in "${LAB_CAPS[@]}"; do
    tag=${c%%:*}
    tcpdump -r "$LAB_WORK/$tag.pcap" -n -tt 2>/dev/null >"$LAB_WORK/$tag.raw"
  done
  local origin
  origin=$(head -1 "$LAB_WORK/$first_tag.raw" | awk '{print $1}')
  {
    echo "# $LAB_NAME"
    echo
    echo "experiment: $LAB_DESC"
    echo "topology: $LAB_TOPO$( [ "$LAB_TOPO" = routed ] && echo " (client $CLIENT_IP in ns -c, router $ROUTER_CIP/$ROUTER_SIP in ns -r, server $SERVER_IP in ns -s)" )"
    echo "script: tools/kernel-lab/experiments/$(basename "$0")${LAB_ARGS:+ $LAB_ARGS}"
    echo "kernel: $(uname -r)"
    echo "date: $LAB_DATE"
    echo "sysctls changed (all others default, per namespace):"
    if [ -s "$LAB_WORK/sysctls" ]; then sed 's/^/  /' "$LAB_WORK/sysctls"; else echo "  none"; fi
    echo "iptables (time in calls-clock seconds):"
    if grep -q 'iptables' "$LAB_CALLS"; then grep 'iptables' "$LAB_CALLS" | sed 's/^/  /'; else echo "  none"; fi
    for c in "${LAB_CAPS[@]}"; do
      IFS=: read -r tag ns ifc _ <<<"$c"
      echo "capture $tag: tcpdump -i $ifc -n in namespace ${ns#"$LAB_P"-} ($(wc -l <"$LAB_WORK/$tag.raw") packets)"
    done
    if [ -n "$origin" ]; then
      echo "clock: wire time 0 = first packet of capture $first_tag = calls time t=$(python3 -c "print('%.3f' % ($origin - $LAB_T0_WALL))")"
    fi
    echo "calls clock: seconds since experiment start (time.monotonic); lab[ns] lines are actions of the harness"
    for kv in "$@"; do echo "$kv"; done
    if [ -s "$LAB_WORK/notes" ]; then echo "notes:"; sed 's/^/  /' "$LAB_WORK/notes"; fi
    local first=1
    for c in "${LAB_CAPS[@]}"; do
      tag=${c%%:*}
      local sfx=""; [ $first = 1 ] || sfx="-$tag"
      echo
      echo "## wire$sfx"
      [ $first = 1 ] || echo "(capture $tag; times relative to the first packet of capture $first_tag)"
      [ -n "$origin" ] && awk -v o="$origin" '{ t=$1; printf "%.6f%s\n", t-o, substr($0, length($1)+1) }' "$LAB_WORK/$tag.raw"
      echo
      echo "## wire-raw$sfx"
      cat "$LAB_WORK/$tag.raw"
      first=0
    done
    if [ -n "$LAB_ABS" ]; then
      echo
      echo "## wire-absolute-seq"
      echo "(SYN, FIN and RST segments of capture $first_tag with absolute sequence numbers: tcpdump -n -tt -S, times relative as in ## wire)"
      tcpdump -r "$LAB_WORK/$first_tag.pcap" -n -tt -S 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0' 2>/dev/null |
        awk -v o="$origin" '{ t=$1; printf "%.6f%s\n", t-o, substr($0, length($1)+1) }'
    fi
    echo
    echo "## calls"
    sort -s -t= -k2,2n "$LAB_CALLS" | awk '{print}'
    echo
    echo "## ss"
    cat "$LAB_SS"
  } >"$out"
  if [ -s "$LAB_WORK/python.err" ]; then echo "python errors:" >&2; cat "$LAB_WORK/python.err" >&2; fi
  echo "wrote $out"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "$1" in
    up) case "$2" in loopback) lab_up_loopback "$3" ;; routed) lab_up_routed "$3" ;; *) echo "usage: $0 up loopback|routed PREFIX" >&2; exit 2 ;; esac ;;
    down) lab_down "$2" ;;
    *) echo "usage: $0 up loopback|routed PREFIX | down PREFIX" >&2; exit 2 ;;
  esac
fi
