#!/usr/bin/env bash
# 47: CUBIC's window, ACK by ACK (net/ipv4/tcp_cubic.c). The server's listener asks for cubic with setsockopt
# TCP_CONGESTION (its child inherits it, tcp_ca_openreq_child): a namespace other than the initial one may only
# make an algorithm of tcp_allowed_congestion_control its default (EPERM otherwise), and this host allows only
# reno and bbr. tcp_early_retrans=0: no loss probe between the peer's rounds. s0 sends one segment per skb
# (gso_max_segs 1). A raw peer (driver.RawPeer, MSS 1460, SACK, timestamps, window scale 7, window 2000 × 128) plays
# a receiver that ACKs every data segment it has (cumulative ACK, one SACK block over what lies above a hole), in
# rounds: at each round time it takes the segments that arrived since the last round and ACKs them one by one.
# Rounds at 1.55 and 1.60 (RTT 50 ms: the server writes 3 MB at 1.5), 1.67 (RTT 70 ms: HyStart's delay detector
# sees the round's RTT 20 ms above delay_min after 8 samples and ends slow start, ssthresh = cwnd), then every
# 50 ms from 1.72 to 3.17. In the round at 1.77 the third segment is dropped (never ACKed; the rest are SACKed
# around it): fast recovery cuts ssthresh to cwnd × 717/1024 and W_max to cwnd; the retransmission is ACKed a round
# later and the window then grows in congestion avoidance along the cubic curve (and its TCP-friendly floor).
# ss -tanoi snapshots of the server (cwnd, ssthresh) between rounds.
source "$(dirname "$0")/../lab.sh"

lab_init "47-cubic-window" routed "cub" \
  "bulk send ACKed in 50 ms rounds by a raw peer: slow start, HyStart (one 70 ms round), one loss, cubic growth; cubic"
lab_sysctl "$NS_S" net.ipv4.tcp_early_retrans=0
ip -n "$NS_S" link set s0 gso_max_segs 1
lab_note "s0: gso_max_segs 1"
lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
lab_tcpdump "$NS_C" c0 wire tcp
lab_py "$NS_S" <<'PY' &
import driver as d, os, socket, threading
srv = d.Sock("server")
srv.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"cubic", "TCP_CONGESTION")
srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(1.5)
threading.Thread(target=lambda: c.send(3000000), daemon=True).start()
d.until(3.3)
os._exit(0)
PY
lab_ss_at "$NS_S" "server" 1.645,1.695,1.745,1.795,1.845,1.995,2.195,2.395,2.595,2.795,2.995,3.195
lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(0.5)
d._wait_for_listener()
p = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(1.0)
p.connect(1460, sack_ok=True, wscale=7, win=2000)
rounds = [1.55, 1.60, 1.67] + [round(1.72 + 0.05 * j, 3) for j in range(30)]
drop_round, drop_index = 4, 2
rcv_nxt, above = 1, None  # cumulative ACK point; one block of data above a hole
for k, t in enumerate(rounds):
    d.until(t)
    for i, (seq, length) in enumerate(p.take_arrived()):
        if k == drop_round and i == drop_index:
            d.log("peer", "drops seq %d:%d" % (seq, seq + length))
            continue
        end = seq + length
        if seq <= rcv_nxt:
            rcv_nxt = max(rcv_nxt, end)
            if above and above[0] <= rcv_nxt:
                rcv_nxt, above = max(rcv_nxt, above[1]), None
        elif above is None:
            above = (seq, end)
        else:
            above = (min(above[0], seq), max(above[1], end))
        p.send(1, 0, "A", win=2000, ack=rcv_nxt, sack=[above] if above else None)
d.until(3.3)
PY
lab_wait_jobs
lab_finish
lab_cleanup
