#!/usr/bin/env bash
# 28: simultaneous close. An idle ESTABLISHED connection (client 40000 -> server 8080, connected at t=2);
# both ends call close() at t=3, so each FIN is sent before the other arrives: FIN_WAIT1 -> CLOSING ->
# TIME_WAIT on both sides, with ss snapshots of the states and timers.
# "routed": through tools/kernel-lab/delayline.py with 50 ms each way (RTT 100 ms), so the FINs cross on the
#   path although the two close() calls are a fraction of a millisecond apart.
# "routed-lost-ack": the same, and the server's INPUT drops the client's bare ACKs from t=2.5 to t=4.5: the
#   ACK of the server's FIN is lost, the server stays in CLOSING and retransmits its FIN; the client, in
#   TIME_WAIT by then, ACKs every copy; the copy after t=4.5 completes the close.
# "loopback": no delay on lo, so the FINs are made to cross by the timers: INPUT drops FIN segments from
#   t=2.5 to t=3.3 (the first FINs and the loss probes at +0.2 s); one process holds both ends, on CPU 0, and
#   closes them one after the other, so the two retransmission timers are armed in the same jiffy, fire in
#   one timer run, and both FINs leave before either is received. (A first run with two processes closed
#   6 ms apart on this busy machine: the timers then fired two jiffies apart and only the server went
#   through CLOSING.)
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1 topo=routed
  [ $v = loopback ] && topo=loopback
  lab_init "28-simultaneous-close-$v" $topo "kexp28${v:7:1}${v:0:1}" \
    "simultaneous close ($v): connect at t=2, client and server close() at t=3"
  [ $topo = routed ] && { lab_delay_line 50 || exit 1; }
  if [ $topo = routed ]; then
    lab_tcpdump "$NS_C" c0 wire tcp
    lab_tcpdump "$NS_S" s0 server tcp
  else
    lab_tcpdump "$NS_C" lo wire tcp
  fi
  if [ $topo = routed ]; then
    lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(3.0); c.close()
d.until(6.0); srv.close()
EOF
    lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(2.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(3.0); s.close()
EOF
  else
    lab_py "$NS_S" <<'EOF' &
import driver as d, os
os.sched_setaffinity(0, {0})
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
d.until(2.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
c = srv.accept("server")
d.until(3.0); s.close(); c.close()
d.until(6.0); srv.close()
EOF
  fi
  case $v in
    routed)
      lab_ss_at "$NS_C" client 2.9,3.025,3.075,3.2,7.0
      lab_ss_at "$NS_S" server 2.9,3.025,3.075,3.2,7.0
      ;;
    routed-lost-ack)
      lab_ss_at "$NS_C" client 3.025,3.075,3.2,3.5,4.0,5.0,7.0
      lab_ss_at "$NS_S" server 3.025,3.075,3.2,3.5,4.0,5.0,7.0
      lab_at 2.5; lab_ipt "$NS_S" -I INPUT -s $CLIENT_IP -p tcp --tcp-flags ALL ACK -j DROP
      lab_at 4.5; lab_ipt_counters "$NS_S"; lab_ipt "$NS_S" -D INPUT -s $CLIENT_IP -p tcp --tcp-flags ALL ACK -j DROP
      ;;
    loopback)
      lab_ss_at "$NS_S" both 2.9,3.1,3.25,3.35,3.6,7.0
      lab_at 2.5; lab_ipt "$NS_S" -I INPUT -p tcp --tcp-flags FIN FIN -j DROP
      lab_at 3.3; lab_ipt_counters "$NS_S"; lab_ipt "$NS_S" -D INPUT -p tcp --tcp-flags FIN FIN -j DROP
      ;;
  esac
  lab_wait_jobs
  lab_at 7.2
  lab_delay_line_stop
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run routed; run routed-lost-ack; run loopback; fi
