#!/usr/bin/env bash
# 60: a listener closed while connections wait in its accept queue and requests in its SYN queue
# (inet_csk_listen_stop). The server listens (backlog 8) and never accept()s; it closes the listener at t=5.
# (Times leave 2 s for the processes to start on a loaded machine.)
#   t=3.0  c5 (40005) connects, shutdown(SHUT_WR) at 3.3, waits in recv() -> accept queue, CLOSE-WAIT
#   t=3.2  c2 (40002) connects, sends 10 bytes at 3.5, waits in recv()   -> accept queue, 10 bytes unread
#   t=3.4  c1 (40001) connects, then waits in recv()                     -> accept queue, ESTABLISHED
#   t=3.6  c3 (40003) connects; the router drops its ACK-flagged segments until 4.8 -> SYN-RECV request
#          (its SYN-ACK resent at 4.6); c3 sends 10 bytes at 5.2, after the listener closed, waits in recv()
#   t=4.5  c4 (40004) connects; the router drops every SYN-ACK to it -> SYN-RECV request; c4's SYN resent at 5.5
#   t=5.0  the listener is closed: children reset (R. at snd_nxt, ack rcv_nxt), requests dropped as they are met
source "$(dirname "$0")/../lab.sh"
RULE3=(FORWARD -s 10.0.1.2 -p tcp --sport 40003 --tcp-flags ACK ACK -j DROP)
RULE4=(FORWARD -d 10.0.1.2 -p tcp --dport 40004 --tcp-flags SYN,ACK SYN,ACK -j DROP)

lab_init "60-listener-close" routed kf60 "a listener closed with children in its accept queue (ESTABLISHED, unread data, CLOSE-WAIT) and requests in its SYN queue"
lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
lab_ipt "$NS_R" -A "${RULE3[@]}"
lab_ipt "$NS_R" -A "${RULE4[@]}"
lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
d.until(5.0)
srv.close()
PY
for i in 1 2 3 4 5; do
  I=$i lab_py "$NS_C" <<'PY' &
import driver as d, os, socket
i = int(os.environ["I"])
d.until({1: 3.4, 2: 3.2, 3: 3.6, 4: 4.5, 5: 3.0}[i])
s = d.Sock("c%d" % i); s.bind((os.environ["CIP"], 40000 + i))
if s.connect((os.environ["SIP"], 8080)) == 0:
    if i == 2:
        d.until(3.5); s.send(10)
    if i == 5:
        d.until(3.3); s.shutdown(socket.SHUT_WR)
    if i == 3:
        d.until(5.2); s.send(10)
    s.recv()
s.close()
PY
done
lab_ss_at "$NS_S" "server" 4.9,5.8
lab_ss_at "$NS_C" "clients" 4.9,5.8
lab_at 4.8; lab_ipt "$NS_R" -D "${RULE3[@]}"
lab_wait_jobs
lab_ipt_counters "$NS_R"
lab_finish
lab_cleanup
