#!/usr/bin/env bash
# 39: net.core.rmem_max and net.core.wmem_max cap SO_RCVBUF and SO_SNDBUF (sock_setsockopt: the value is first
# limited to the sysctl, then doubled, and never below SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF). On this kernel the two
# sysctls are read-only in a network namespace (mode 0444, init_net's values, 4194304 each): the script tries to
# write them and logs the refusal, and only the default cap is exercised (the host's values are not touched).
# Three client sockets ask for 10000000 bytes of each buffer (above the cap), 1000000 (below) and 1000 (below the
# floors), each with getsockopt before and after, then connect: the SYN's window and scale follow the locked
# receive buffer. ss -m shows rb and tb of the first.
source "$(dirname "$0")/../lab.sh"

lab_init "39-buffer-max" routed "probes39" \
  "SO_RCVBUF / SO_SNDBUF capped by net.core.rmem_max / wmem_max in the client's namespace"
lab_log "lab[$NS_C]" "$(ip netns exec "$NS_C" ls -l /proc/sys/net/core/rmem_max /proc/sys/net/core/wmem_max | awk '{print $1, $NF}' | tr '\n' ' ')"
for kv in net.core.rmem_max=65536 net.core.wmem_max=32768; do
  lab_log "lab[$NS_C]" "sysctl -w $kv: $(ip netns exec "$NS_C" sysctl -w "$kv" 2>&1)"
done
lab_log "lab[$NS_C]" "rmem_max $(ip netns exec "$NS_C" cat /proc/sys/net/core/rmem_max) wmem_max $(ip netns exec "$NS_C" cat /proc/sys/net/core/wmem_max)"
lab_tcpdump "$NS_C" c0 wire tcp
lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
for _ in range(3):
    c = srv.accept("server")
    c.recv_until_eof(10)
    c.close()
PY
NS_CLIENT=$NS_C SS_LOG=$LAB_SS lab_py "$NS_C" <<'PY'
import driver as d, os, socket
for n, size in enumerate([10000000, 1000000, 1000]):
    d.until(1.0 + n)
    s = d.Sock("client"); s.bind((os.environ["CIP"], 40000 + n))
    s.buffers()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size, "SO_RCVBUF")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size, "SO_SNDBUF")
    s.buffers()
    s.connect((os.environ["SIP"], 8080))
    s.send(100)
    d.until(1.5 + n)
    if n == 0:
        d._snap(os.environ["NS_CLIENT"] + " client", os.environ["SS_LOG"],
                ["ip", "netns", "exec", os.environ["NS_CLIENT"], "ss", "-tanoim", "sport = :40000"])
    s.close()
d.until(4.0)
PY
lab_wait_jobs
lab_finish
lab_cleanup
