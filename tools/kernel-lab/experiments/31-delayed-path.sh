#!/usr/bin/env bash
# 31: a path with 100 ms of round trip. sch_netem is not in this kernel, so instead of
# `tc qdisc add dev rc root netem delay 100ms` the router forwards through tools/kernel-lab/delayline.py with
# 50 ms each way (the same round trip). Congestion control reno in both namespaces (the simulator's model;
# the host default is bbr, which paces) and one segment per skb (the delay line sets gso_max_segs 1).
# connect() at t=2; request/response: the client sends 100 bytes at t=3, the server answers 50 at once;
# a 20000-byte write at t=4 (slow start over the 100 ms RTT), answered with 50; a 100-byte request at t=5
# whose first transmission the server's INPUT drops (`-m length --length 152`, from t=4.9 to t=5.2), so it is
# repaired by the loss probe / RTO the 100 ms RTT gives; answered with 50; the client closes at t=6.
source "$(dirname "$0")/../lab.sh"

run() {
  local LAB_ARGS=""
  lab_init "31-delayed-path" routed "kexp31" \
    "100 ms round trip (delay line, 50 ms each way), reno: request/response at t=3, 20000 bytes at t=4, a lost 100-byte request at t=5, close at t=6"
  lab_delay_line 50 || exit 1
  lab_sysctl "$NS_C" net.ipv4.tcp_congestion_control=reno
  lab_sysctl "$NS_S" net.ipv4.tcp_congestion_control=reno
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
for want in (100, 20000, 100):
    got = 0
    while got < want:
        r = c.recv()
        if not r:
            break
        got += len(r)
    c.send(50, b"r")
c.recv()
c.close()
PY
  local spid=$!
  lab_py "$NS_C" <<'PY' &
import driver as d, os
d.until(2.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(3.0); s.send(100, b"q"); s.recv()
d.until(4.0); s.sendall(20000, b"t"); s.recv()
d.until(5.0); s.send(100, b"q"); s.recv()
d.until(6.0); s.close()
PY
  local cpid=$!
  lab_ss_at "$NS_C" client 2.5,3.5,4.05,5.05,5.25,5.5
  lab_at 4.9; lab_ipt "$NS_S" -I INPUT -s $CLIENT_IP -p tcp -m length --length 152 -j DROP
  lab_at 5.2; lab_ipt_counters "$NS_S"; lab_ipt "$NS_S" -D INPUT -s $CLIENT_IP -p tcp -m length --length 152 -j DROP
  wait $spid $cpid
  lab_at 6.5
  python3 "$LAB_DRIVER" snap "$NS_C client TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_C" sh -c \
    "nstat -az | grep -E 'TcpRetransSegs|TCPLossProbes|TCPTimeouts|TCPLossProbeRecovery|DelayedACKs|TCPSpuriousRTOs|TCPLossUndo'"
  python3 "$LAB_DRIVER" snap "$NS_S server TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_S" sh -c \
    "nstat -az | grep -E 'DelayedACKs|TCPDSACKRecv|TCPDSACKOldSent|TCPDelivered '"
  lab_delay_line_stop
  lab_finish
  lab_cleanup
}
run
