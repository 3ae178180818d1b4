#!/usr/bin/env bash
# 29: simultaneous open. No listener: the client binds 10.0.1.2:40000 and connects to 10.0.2.2:40001 while the
# server binds 10.0.2.2:40001 and connects to 10.0.1.2:40000, both at t=3, through
# tools/kernel-lab/delayline.py with 50 ms each way, so the SYNs cross on the path (SYN_SENT -> SYN_RECV), then
# the SYN-ACKs cross (SYN_RECV -> ESTABLISHED). Then the client sends 100 bytes at t=4.5, the server 50 at t=5,
# the client closes at t=5.5 and the server at t=6.
# "routed": as above.
# "routed-lost-synack": the server's INPUT drops everything from the client but SYNs (! --syn) from t=2.5 to
#   t=3.5: the client's SYN gets through, its SYN-ACK and the ACK after it do not, so the server stays in
#   SYN_RECV and retransmits its SYN-ACK from the SYN's timer (t=4), to a client that is ESTABLISHED by then.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "29-simultaneous-open-$v" routed "kexp29${v:7:1}" \
    "simultaneous open ($v): 40000 and 40001 connect() to each other at t=3, no listener; data at t=4.5 and 5"
  lab_delay_line 50 || exit 1
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
s = d.Sock("server"); s.bind((os.environ["SIP"], 40001))
d.until(3.0)
s.connect((os.environ["CIP"], 40000), wait_for_listener=False)
s.recv()
d.until(5.0); s.send(50)
s.recv()
d.until(6.0); s.close()
EOF
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
d.until(3.0)
s.connect((os.environ["SIP"], 40001), wait_for_listener=False)
d.until(4.5); s.send(100)
s.recv()
d.until(5.5); s.close()
EOF
  lab_ss_at "$NS_C" client 3.025,3.075,3.2,3.8,4.3,5.3,6.5
  lab_ss_at "$NS_S" server 3.025,3.075,3.2,3.8,4.3,5.3,6.5
  if [ $v = routed-lost-synack ]; then
    lab_at 2.5; lab_ipt "$NS_S" -I INPUT -s $CLIENT_IP -p tcp ! --syn -j DROP
    lab_at 3.5; lab_ipt_counters "$NS_S"; lab_ipt "$NS_S" -D INPUT -s $CLIENT_IP -p tcp ! --syn -j DROP
  fi
  lab_wait_jobs
  lab_at 6.7
  lab_delay_line_stop
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run routed; run routed-lost-synack; fi
