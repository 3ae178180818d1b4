#!/usr/bin/env bash
# 14: RST in TIME_WAIT (TIME_WAIT assassination). Client close() at t=2, server close() on EOF at
# t=2.5 -> client TIME_WAIT. From the server namespace a hand-built RST (raw socket, no options) is sent
# to the client's TIME_WAIT: at t=4 with seq = R + 1000 (wrong), at t=6 with seq = R (R = client's
# rcv_nxt = server FIN seq + 1, read from the capture). Variants: tcp_rfc1337=0 (default) and =1 (client ns).
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  LAB_ABS=1
  lab_init "14-rst-in-time-wait-$v" routed "kl14${v:8:1}" "RST in TIME_WAIT: crafted RSTs to the client's TIME_WAIT at t=4 (seq R+1000) and t=6 (seq R); $v"
  [ $v = rfc1337-1 ] && lab_sysctl "$NS_C" net.ipv4.tcp_rfc1337=1
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
d.until(2.5); c.close()
EOF
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.close()
EOF
  lab_at 3; lab_ss "$NS_C" "client (TIME_WAIT expected)"
  local fin R
  fin=$(tcpdump -r "$LAB_WORK/wire.pcap" -n -S 'src host 10.0.2.2 and tcp[tcpflags] & tcp-fin != 0' 2>/dev/null | head -1 | sed -E 's/.*seq ([0-9]+).*/\1/')
  R=$(( (fin + 1) % 4294967296 ))
  lab_note "server FIN seq (absolute) $fin, so R = client rcv_nxt = $R"
  lab_at 4
  R=$R lab_py "$NS_S" <<'EOF'
import driver as d, os
R = int(os.environ["R"])
d.send_raw_tcp("raw@server", "10.0.2.2", 8080, "10.0.1.2", 40000, R + 1000, flags="R")
EOF
  lab_at 5; lab_ss "$NS_C" "client after RST with seq R+1000"
  lab_at 6
  R=$R lab_py "$NS_S" <<'EOF'
import driver as d, os
R = int(os.environ["R"])
d.send_raw_tcp("raw@server", "10.0.2.2", 8080, "10.0.1.2", 40000, R, flags="R")
EOF
  lab_at 7; lab_ss "$NS_C" "client after RST with seq R"
  lab_at 9; lab_ss "$NS_C" "client"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run rfc1337-0; run rfc1337-1; fi
