#!/usr/bin/env bash
# 64: keepalive on a connection with unacknowledged data. The client sets SO_KEEPALIVE (TCP_KEEPIDLE 1,
# TCP_KEEPINTVL 1, TCP_KEEPCNT 2) and connects at t=2; from t=2.3 the server's INPUT drops every segment with data
# from the client; the client sends 100 bytes at t=2.5 and waits in recv(). tcp_retries2=5 in the client namespace.
# Expected on Linux (tcp_keepalive_timer): while data is in flight the keepalive timer only re-arms itself (no probe,
# no keepalive give-up after idle + 2 intervals); the loss probe and the RTO series go on until tcp_retries2's budget
# ends the connection with ETIMEDOUT (no RST).
source "$(dirname "$0")/../lab.sh"
RULE=(INPUT -p tcp --dport 8080 -m length --length 53:65535 -j DROP)

lab_init "64-keepalive-unacked" routed kf64 "keepalive with unacknowledged data: no probes, the RTO budget ends it (tcp_retries2=5)"
lab_sysctl "$NS_C" net.ipv4.tcp_retries2=5
lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(20.0)
c.close()
PY
lab_py "$NS_C" <<'PY' &
import driver as d, os
d.until(2.0)
s = d.Sock("client")
s.keepalive(idle=1, intvl=1, cnt=2)
s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.5)
s.send(100)
s.recv()
s.close()
PY
lab_at 2.3; lab_ipt "$NS_S" -A "${RULE[@]}"
lab_ss_at "$NS_C" "client" 4.2,9.0
lab_wait_jobs
lab_ipt_counters "$NS_S"
lab_finish
lab_cleanup
