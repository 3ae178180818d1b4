#!/usr/bin/env bash
# 10: lost ACK of the first FIN. From t=1.5 to t=5 the router drops everything from the server;
# client close() at t=2 (FIN_WAIT1); the server's ACK is lost, the client re-sends the FIN;
# after the rule is deleted the next FIN is ACKed; the server close()s at t=8.
# sysctls: none changed.
source "$(dirname "$0")/../lab.sh"
lab_init "10-lost-fin-ack" routed kl10 "lost ACK of the first FIN: router drops everything from the server t=1.5..5; client close() at t=2; server close() at t=8"
lab_tcpdump "$NS_C" c0 wire tcp
lab_tcpdump "$NS_S" s0 server tcp
lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
d.until(8.0); c.close()
EOF
lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.close()
EOF
lab_at 1.5; lab_ipt "$NS_R" -I FORWARD -s $SERVER_IP -j DROP
lab_at 2.5; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
lab_at 5.0; lab_ipt_counters "$NS_R"; lab_ipt "$NS_R" -D FORWARD -s $SERVER_IP -j DROP
lab_at 7.5; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
lab_at 8.5; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
lab_wait_jobs
lab_finish
