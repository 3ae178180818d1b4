#!/usr/bin/env bash
# 06: keepalive. Client sets SO_KEEPALIVE, TCP_KEEPIDLE=5, TCP_KEEPINTVL=2, TCP_KEEPCNT=3 and blocks in recv().
# At t=1.5 (after the handshake) the router starts dropping everything from the server.
# sysctls: none changed (the socket options override tcp_keepalive_*).
source "$(dirname "$0")/../lab.sh"
lab_init "06-keepalive" routed kl06 "keepalive idle 5 s, interval 2 s, count 3 on the client; router drops everything from the server from t=1.5; client idle in recv()"
lab_tcpdump "$NS_C" c0 wire tcp
lab_tcpdump "$NS_S" s0 server tcp
lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(25)
c.tcp_state()
EOF
LAB_BG+=($!)
lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.keepalive(idle=5, intvl=2, cnt=3)
s.connect((os.environ["SIP"], 8080))
s.recv(1000)
s.close()
EOF
cpid=$!
lab_at 1.5; lab_ipt "$NS_R" -I FORWARD -s $SERVER_IP -j DROP
lab_ss_every "$NS_C" 1 16 "client"
wait $cpid
lab_at 20
lab_ipt_counters "$NS_R"
lab_finish
