#!/usr/bin/env bash
# 65: what a TIME_WAIT socket answers to segments other than a retransmitted FIN or an RST (tcp_timewait_state_process),
# and which of them restart its 60 s timer (ss's timewait timer). A raw peer (driver.RawPeer in the client namespace,
# MSS 1460, SACK, timestamps, no window scaling, window 65535; its host's own RSTs dropped) connects to a real
# listener at 2.0; the server close()s at 2.5 (FIN 1), the peer ACKs it with its own FIN at 2.6: the server is in
# TIME_WAIT with rcv_nxt 2 (relative), its ACK at 2.6.
#   t=12.0  10 bytes at 2 (rcv_nxt)             -> ACK, timer restarted (ss at 12.2: 59 s, not 50)
#   t=12.1  the same again                      -> ACK (data is not rate-limited)
#   t=12.3  bare ACK at 1 (below rcv_nxt)       -> ACK (out of window; stamps the 500 ms limit)
#   t=12.4  the same again                      -> nothing (tcp_invalid_ratelimit)
#   t=12.5  FIN with 10 bytes at 2              -> ACK
#   t=12.6  10 bytes at 100002 (out of window)  -> ACK
#   t=22.0  bare ACK at 2 (rcv_nxt)             -> nothing; timer restarted? (ss at 22.2: 59 s or 49 s)
source "$(dirname "$0")/../lab.sh"

run() {
  lab_init "65-time-wait-segments" routed "kg65" "segments to a TIME_WAIT socket from a raw peer: data, bare ACKs in and below the window, FIN with data, the timer"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST,ACK RST -j DROP
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  lab_ss_at "$NS_S" server 2.8,12.2,21.8,22.2
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(2.5)
c.close()
srv.close()
PY
  lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(1.5)
d._wait_for_listener()
a = d.RawPeer("peerA", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(2.0)
a.connect(1460, sack_ok=True, win=65535)
d.until(2.6); a.send(1, 0, "FA", 65535, ack=2)
d.until(12.0); a.send(2, 10, "PA", 65535, ack=2)
d.until(12.1); a.send(2, 10, "PA", 65535, ack=2)
d.until(12.3); a.send(1, 0, "A", 65535, ack=2)
d.until(12.4); a.send(1, 0, "A", 65535, ack=2)
d.until(12.5); a.send(2, 10, "FPA", 65535, ack=2)
d.until(12.6); a.send(100002, 10, "PA", 65535, ack=2)
d.until(22.0); a.send(2, 0, "A", 65535, ack=2)
d.until(22.5)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
run
