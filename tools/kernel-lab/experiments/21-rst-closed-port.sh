#!/usr/bin/env bash
# 21: RST for segments with no socket. Server has a listener on 8080 only.
# t=1 connect() to port 9 (no listener); t=2 hand-built data segment (PA, 10 bytes) to the listener port 8080
# from 40001 (no connection); t=3 bare ACK to port 9; t=4 data without ACK flag to port 9; t=5 FIN+ACK to
# port 9; t=6 an RST to port 9 and an RST to 8080 (must get no answer). sysctls: none changed.
source "$(dirname "$0")/../lab.sh"
lab_init "21-rst-closed-port" routed kl21 "segments to ports/connections without a socket; RST to nothing"
lab_tcpdump "$NS_C" c0 wire tcp
lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
d.until(8)
EOF
lab_py "$NS_C" <<'EOF'
import driver as d, os
C, S = "10.0.1.2", "10.0.2.2"
d.until(1.0)
s = d.Sock("client"); s.bind((C, 40000)); s.connect((S, 9)); s.close()
d.until(2.0); d.send_raw_tcp("raw@client", C, 40001, S, 8080, 1000, 2000, "PA", 502, b"0123456789")
d.until(3.0); d.send_raw_tcp("raw@client", C, 40002, S, 9, 3000, 4000, "A", 502)
d.until(4.0); d.send_raw_tcp("raw@client", C, 40003, S, 9, 5000, 0, "P", 502, b"0123456789")
d.until(5.0); d.send_raw_tcp("raw@client", C, 40004, S, 9, 6000, 7000, "FA", 502)
d.until(6.0); d.send_raw_tcp("raw@client", C, 40005, S, 9, 8000, 0, "R", 0)
d.send_raw_tcp("raw@client", C, 40006, S, 8080, 9000, 0, "R", 0)
d.send_raw_tcp("raw@client", C, 40007, S, 8080, 9500, 9600, "RA", 0)
d.until(7.0)
EOF
lab_wait_jobs
lab_finish
