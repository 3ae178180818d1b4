#!/usr/bin/env bash
# 50: TCP's internal pacing (EDT model, Linux >= 4.20). No fq qdisc paces veth (noqueue), so a socket paces itself
# only when sk_pacing_status is SK_PACING_NEEDED (tcp_needs_internal_pacing): SO_MAX_PACING_RATE sets it. Then
# tcp_update_skb_after_send advances tcp_wstamp_ns by len * 10^9 / sk_pacing_rate after each data segment once
# ten have gone out (the first ten leave at once), less up to half of it as credit for time the socket left
# unused, and tcp_write_xmit stops while tcp_wstamp_ns is ahead of the clock and arms the pacing hrtimer
# (tcp_pacing_check), whose expiry sends the next segment.
# Variant max-rate: the server sets SO_MAX_PACING_RATE 1000000 (bytes/s): a 1448-byte segment every 1.448 ms;
# variant unpaced: no option, nothing is paced (the rate is still computed and ss shows it).
# Reno in the server's namespace, tcp_early_retrans=0 (no loss probe: the raw peer ACKs late on purpose), s0 sends
# one segment per skb (gso_max_segs 1). A raw peer (driver.RawPeer, MSS 1460, SACK, timestamps, window scale 7,
# window 1000 x 128) receives; the server
#  - at t=1.5 writes 43440 bytes (30 segments): the initial window of 10 leaves at once;
#  - the peer ACKs those ten one by one at 1.51 (cwnd 20): the other 20 follow, paced in variant max-rate;
#  - the peer ACKs those twenty one by one at 1.56;
#  - at t=1.7 (idle 140 ms, less than an RTO) the server writes 14480 bytes (10 segments), paced again.
# ss -i snapshots of the server at 1.505, 1.6 and 1.75 show pacing_rate (and max_pacing_rate when set).
source "$(dirname "$0")/../lab.sh"

run() {
  local variant=$1 rate
  case $variant in max-rate) rate=1000000 ;; unpaced) rate=0 ;; *) echo "variant: max-rate or unpaced" >&2; return 2 ;; esac
  local LAB_ARGS=$variant
  lab_init "50-pacing-$variant" routed "pace" \
    "server writes 30 then 10 segments to a raw peer that ACKs late; SO_MAX_PACING_RATE ${rate:-none} (0: not set); reno"
  lab_sysctl "$NS_S" net.ipv4.tcp_congestion_control=reno net.ipv4.tcp_early_retrans=0
  ip -n "$NS_S" link set s0 gso_max_segs 1
  lab_note "s0: gso_max_segs 1"
  lab_note "s0 qdisc: $(ip netns exec "$NS_S" tc qdisc show dev s0 | head -1)"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
  lab_tcpdump "$NS_C" c0 wire tcp
  RATE=$rate lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
rate = int(os.environ["RATE"])
if rate:
    c.max_pacing_rate(rate)
d.until(1.5); c.send(43440)
d.until(1.7); c.send(14480)
d.until(2.2)
PY
  lab_ss_at "$NS_S" "server" 1.505,1.6,1.75
  lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(0.5)
d._wait_for_listener()
p = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(1.0)
p.connect(1460, sack_ok=True, wscale=7, win=1000)
d.until(1.51)
for k in range(1, 11):
    p.send(1, 0, "A", win=1000, ack=1 + 1448 * k)
d.until(1.56)
for k in range(11, 31):
    p.send(1, 0, "A", win=1000, ack=1 + 1448 * k)
d.until(1.76)
for k in range(31, 41):
    p.send(1, 0, "A", win=1000, ack=1 + 1448 * k)
d.until(2.0)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run max-rate; run unpaced; fi
