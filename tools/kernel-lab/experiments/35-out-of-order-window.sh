#!/usr/bin/env bash
# 35: the window a receiver offers while it holds out-of-order data with SACK (tcp_data_queue_ofo grows
# rcv_ssthresh on held data with SACK: tcp_grow_window). A raw peer (driver.RawPeer; MSS 1460, SACK, timestamps,
# window scale 7; its host's RSTs dropped) sends the pattern of the sack-holes scenario, 1448-byte segments
# 10 ms apart from t=2: 1:1449, then 2897, 4345, 5793, 8689, 10137, 11585 beyond the holes at 1449 and 7241, then
# 1449:2897 and 7241:8689 at t=2.1 and 2.11, and 13033:14001 at t=2.3. The server reads as data comes (recv loop).
# An ss -m snapshot at t=2.08 shows the receive memory the six held segments cost (skmem r).
source "$(dirname "$0")/../lab.sh"

lab_init "35-out-of-order-window" routed "sackorder35" \
  "windows offered while out-of-order data is held with SACK (raw peer, window scale 7)"
lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
lab_tcpdump "$NS_C" c0 wire tcp
lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv_until_eof(100)
PY
NS_SERVER=$NS_S SS_LOG=$LAB_SS lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(0.5)
d._wait_for_listener()
p = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(1.0)
p.connect(1460, sack_ok=True, wscale=7)
plan = [(2.00, 1, 1448), (2.01, 2897, 1448), (2.02, 4345, 1448), (2.03, 5793, 1448), (2.04, 8689, 1448),
        (2.05, 10137, 1448), (2.06, 11585, 1448), (2.10, 1449, 1448), (2.11, 7241, 1448), (2.30, 13033, 968)]
for at, seq, length in plan:
    d.until(at)
    p.send(seq, length, "A")
    if at == 2.06:
        d.until(2.075)
        d._snap(os.environ["NS_SERVER"] + " server holding 6 segments out of order", os.environ["SS_LOG"],
                ["ip", "netns", "exec", os.environ["NS_SERVER"], "ss", "-tanoim"])
d.until(3.0)
PY
lab_ss "$NS_S" "server"
lab_finish
lab_cleanup
