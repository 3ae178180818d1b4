#!/usr/bin/env bash
# 25: a slow reader fills its receive buffer (the reliability tests' ReceiveMemoryStall case). The client sends
# 45860 + 49198 bytes at t=2 and shuts down its side; the server accept()s, shuts down its side and reads 16 bytes
# every 208 ms until t=20, then reads everything that is left. Routed, with GSO off on the client's c0
# (gso_max_segs 1) so that the server receives one skb per 1448-byte segment, as the simulator models it.
# Variants: default (default buffers: sk_rcvbuf may grow, tcp_clamp_window), rcvbuf (SO_RCVBUF 4096 on the
# listener, so 8192 and locked: collapse, drops, the zero window of ICSK_ACK_NOMEM).
# ss -tanoim snapshots (skmem: rb = sk_rcvbuf, r = sk_rmem_alloc) and the server's TcpExt counters are kept.
source "$(dirname "$0")/../lab.sh"

run() {
  local variant=$1 LAB_ARGS=$1
  lab_init "25-slow-reader-$variant" routed "kl25${variant:0:2}" \
    "slow reader ($variant): client sends 45860+49198 bytes at t=2 then SHUT_WR; server reads 16 bytes every 208 ms until t=20, then the rest"
  ip -n "$NS_C" link set c0 gso_max_segs 1
  lab_note "client c0: gso_max_segs 1 (one segment per skb)"
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  RCVBUF=$([ "$variant" = rcvbuf ] && echo 4096 || echo 0) lab_py "$NS_S" <<'PY' &
import driver as d, os, socket, time
srv = d.Sock("server")
if os.environ.get("RCVBUF", "0") != "0":
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(os.environ["RCVBUF"]), "SO_RCVBUF")
srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.shutdown(socket.SHUT_WR)
total = 0
while d.now() < 20.0:
    r = c.recv(16)
    if r is None or len(r) == 0:
        break
    total += len(r)
    d.sleep(0.208)
c._log("slow phase read %d bytes" % total)
c.recv_until_eof(2000)
c.close()
PY
  local spid=$!
  lab_py "$NS_C" <<'PY' &
import driver as d, os, socket
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0)
s.sendall(45860, b"a"); s.sendall(49198, b"b")
s.shutdown(socket.SHUT_WR)
s.recv()
s.close()
PY
  local cpid=$!
  local t
  for t in 1.9 2.05 2.3 3 5 10 19.9; do
    lab_at "$t"
    python3 "$LAB_DRIVER" snap "$NS_S server" "$LAB_SS" -- ip netns exec "$NS_S" ss -tanoim
    python3 "$LAB_DRIVER" snap "$NS_C client" "$LAB_SS" -- ip netns exec "$NS_C" ss -tanoim
  done
  wait $spid $cpid
  python3 "$LAB_DRIVER" snap "$NS_S server TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_S" sh -c \
    "nstat -az | grep -E 'Prune|Collapse|RcvQDrop|ZeroWindow|OFODrop|OFOQueue|TCPOFOMerge|DelayedACKs|TcpInSegs|TcpRetransSegs|TCPBacklogDrop'"
  python3 "$LAB_DRIVER" snap "$NS_C client TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_C" sh -c \
    "nstat -az | grep -E 'TcpRetransSegs|TCPLossProbes|TCPTimeouts|TCPWinProbe|TCPSACKRecovery'"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run default; run rcvbuf; fi
