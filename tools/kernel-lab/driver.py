#!/usr/bin/env python3
"""Scripted socket calls for kernel-lab experiments, with a timestamped log.

Every call is logged as `t=SECONDS ROLE call(args) -> result` where SECONDS is
time.monotonic() minus the experiment start LAB_T0 (set by lab.sh). Calls that
can block (connect, accept, recv, close with SO_LINGER, sleeps) log a start line
ending in `...` and a result line. Errors are never raised: the errno name is
logged and kept in `sock.errno`.

Environment: LAB_T0 (monotonic start), LAB_CALLS (log file; stdout if unset).

Library use (in a script run by lab.sh's lab_py):
    import driver as d
    srv = d.Sock("server"); srv.setsockopt_reuseaddr(1); srv.bind(("10.0.2.2", 8080)); srv.listen(8)
    conn = srv.accept()
Command-line use (from bash):
    driver.py now                  print seconds since LAB_T0
    driver.py until T              sleep until LAB_T0 + T
    driver.py log ROLE TEXT...     append a log line
    driver.py snap LABEL FILE -- CMD...   run CMD, append its output to FILE under a time header
    driver.py snaps LABEL FILE T1,T2,... -- CMD...   the same at each time Ti (one process, so a
                                   snapshot lands within a few ms of its time)
"""
import errno
import os
import socket
import subprocess
import sys
import time

T0 = float(os.environ.get("LAB_T0", "0") or 0) or time.monotonic()
_LOG = os.environ.get("LAB_CALLS")

# Socket option names that Python may not export.
TCP_USER_TIMEOUT = getattr(socket, "TCP_USER_TIMEOUT", 18)
SO_REUSEPORT = getattr(socket, "SO_REUSEPORT", 15)
SO_MAX_PACING_RATE = getattr(socket, "SO_MAX_PACING_RATE", 47)


def now():
    return time.monotonic() - T0


def log(role, text):
    line = "t=%.3f %s %s\n" % (now(), role, text)
    if _LOG:
        # O_APPEND keeps lines from several processes whole.
        fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    else:
        sys.stdout.write(line)
        sys.stdout.flush()


def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if isinstance(e, OSError) and e.errno else repr(e)


def until(t, role=None):
    """Sleep until experiment time t (never busy-waits; bounded by t)."""
    delay = t - now()
    if delay > 0:
        time.sleep(delay)


def sleep(seconds):
    time.sleep(seconds)


def _wait_for_listener(limit=10.0):
    """Guard against a loaded machine: before the first connect(), wait (bounded, silently)
    until some process of the experiment has logged a successful listen()."""
    if not _LOG:
        return
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with open(_LOG) as f:
                if any(" listen(" in line and line.rstrip().endswith("-> 0") for line in f):
                    return
        except OSError:
            pass
        time.sleep(0.01)


def _fmt_addr(a):
    if isinstance(a, tuple):
        return "%s:%d" % (a[0], a[1])
    return str(a)


class Sock:
    """A TCP socket whose every call is logged under a role name."""

    def __init__(self, role, sock=None):
        self.role = role
        self.errno = None
        if sock is None:
            try:
                self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                self._log("socket(AF_INET, SOCK_STREAM) -> fd %d" % self.s.fileno())
            except OSError as e:
                self.s = None
                self._err("socket()", e)
        else:
            self.s = sock

    # logging helpers
    def _log(self, text):
        log(self.role, text)

    def _err(self, call, e):
        self.errno = errname(e)
        self._log("%s -> %s" % (call, self.errno))
        return None

    def _do(self, call, fn, fmt=lambda r: "0" if r is None else str(r), blocking=False):
        if blocking:
            self._log("%s ..." % call)
        try:
            r = fn()
        except OSError as e:
            return self._err(call, e)
        self.errno = None
        self._log("%s -> %s" % (call, fmt(r)))
        return r if r is not None else 0

    # options
    def setsockopt(self, level, opt, value, name=None):
        name = name or str(opt)
        return self._do("setsockopt(%s, %s)" % (name, value), lambda: self.s.setsockopt(level, opt, value))

    def reuseaddr(self, on=1):
        return self.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, on, "SO_REUSEADDR")

    def reuseport(self, on=1):
        return self.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, on, "SO_REUSEPORT")

    def max_pacing_rate(self, rate):
        """SO_MAX_PACING_RATE in bytes a second (also turns TCP's internal pacing on when no fq qdisc paces)."""
        return self.setsockopt(socket.SOL_SOCKET, SO_MAX_PACING_RATE, rate, "SO_MAX_PACING_RATE")

    def linger(self, onoff, seconds):
        import struct
        return self._do("setsockopt(SO_LINGER, {l_onoff=%d, l_linger=%d})" % (onoff, seconds),
                        lambda: self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                                  struct.pack("ii", onoff, seconds)))

    def keepalive(self, idle=None, intvl=None, cnt=None):
        self.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1, "SO_KEEPALIVE")
        if idle is not None:
            self.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle, "TCP_KEEPIDLE")
        if intvl is not None:
            self.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl, "TCP_KEEPINTVL")
        if cnt is not None:
            self.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cnt, "TCP_KEEPCNT")

    def nodelay(self, on=1):
        return self.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, on, "TCP_NODELAY")

    def settimeout(self, seconds):
        self.s.settimeout(seconds)
        self._log("settimeout(%s)" % seconds)

    # calls
    def bind(self, addr):
        return self._do("bind(%s)" % _fmt_addr(addr), lambda: self.s.bind(addr))

    def listen(self, backlog):
        return self._do("listen(%d)" % backlog, lambda: self.s.listen(backlog))

    def connect(self, addr, wait_for_listener=True):
        """Blocking connect(); first waits (bounded) for a listen() in the log, unless told there is none
        (simultaneous open)."""
        if wait_for_listener:
            _wait_for_listener()
        return self._do("connect(%s)" % _fmt_addr(addr), lambda: self.s.connect(addr), blocking=True)

    def connect_ex(self, addr):
        """connect() that logs on one line (for many quick connects)."""
        return self._do("connect(%s)" % _fmt_addr(addr), lambda: self.s.connect(addr))

    def accept(self, role=None):
        r = self._do("accept()", self.s.accept, fmt=lambda r: "fd %d peer %s" % (r[0].fileno(), _fmt_addr(r[1])),
                     blocking=True)
        if not r:
            return None
        return Sock(role or (self.role + "-conn"), r[0])

    def getsockname(self):
        return self._do("getsockname()", self.s.getsockname, fmt=_fmt_addr)

    def send(self, n, byte=b"x"):
        data = byte * n
        return self._do("send(%d bytes)" % n, lambda: self.s.send(data))

    def sendall(self, n, byte=b"x"):
        data = byte * n
        return self._do("sendall(%d bytes)" % n, lambda: self.s.sendall(data), fmt=lambda r: str(n))

    def recv(self, n=65536):
        """One recv(); logs the byte count (0 = EOF) or the errno."""
        r = self._do("recv(%d)" % n, lambda: self.s.recv(n), fmt=lambda r: "%d bytes" % len(r), blocking=True)
        return r

    def recv_nowait(self, n=65536):
        """A recv() with MSG_DONTWAIT, logged on one line."""
        return self._do("recv(%d, MSG_DONTWAIT)" % n, lambda: self.s.recv(n, socket.MSG_DONTWAIT),
                        fmt=lambda r: "%d bytes" % len(r))

    def recv_until_eof(self, limit=100):
        """recv() until 0 or an error, at most `limit` calls; returns total bytes."""
        total = 0
        for _ in range(limit):
            r = self.recv()
            if r is None or r == 0 or len(r) == 0:
                break
            total += len(r)
        self._log("total received %d bytes" % total)
        return total

    def shutdown(self, how):
        name = {socket.SHUT_RD: "SHUT_RD", socket.SHUT_WR: "SHUT_WR", socket.SHUT_RDWR: "SHUT_RDWR"}[how]
        return self._do("shutdown(%s)" % name, lambda: self.s.shutdown(how))

    def close(self, blocking=False):
        fd = self.s.fileno()
        # socket.close() hides errors from close(2); call os.close on a detached fd instead.
        def _close():
            os.close(self.s.detach())
        return self._do("close(fd %d)" % fd, _close, blocking=blocking)

    def tcp_state(self):
        """Logs the TCP state from TCP_INFO (first byte)."""
        names = ["?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
                 "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"]
        return self._do("getsockopt(TCP_INFO).tcpi_state",
                        lambda: names[self.s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]], fmt=str)

    def buffers(self):
        """Logs getsockopt(SO_RCVBUF) and getsockopt(SO_SNDBUF): sk_rcvbuf and sk_sndbuf as the kernel holds them."""
        self._do("getsockopt(SO_RCVBUF)", lambda: self.s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
        return self._do("getsockopt(SO_SNDBUF)", lambda: self.s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))

    def getsockopt_error(self):
        return self._do("getsockopt(SO_ERROR)",
                        lambda: errno.errorcode.get(self.s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), "0"),
                        fmt=str)


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def send_raw_tcp(role, src, sport, dst, dport, seq, ack=0, flags="R", win=0, payload=b"", options=b""):
    """Hand-builds one TCP segment and sends it through a raw socket.

    flags: string of F S R P A U letters; options: raw option bytes (see tcp_options), padded with NOPs
    to a multiple of 4. The kernel adds the IP header. Logged like a call.
    """
    import struct
    bits = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}
    fl = 0
    for ch in flags:
        fl |= bits[ch]
    options = options + b"\x01" * (-len(options) % 4)
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (5 + len(options) // 4) << 4, fl,
                      win, 0, 0) + options
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, socket.IPPROTO_TCP,
                                                                          len(hdr) + len(payload))
    c = _csum(pseudo + hdr + payload)
    hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
    desc = "raw %s:%d > %s:%d flags %s seq %d ack %d win %d len %d" % (src, sport, dst, dport, flags, seq, ack,
                                                                       win, len(payload))
    if options:
        desc += " options %s" % options.hex()
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        s.bind((src, 0))
        s.sendto(hdr + payload, (dst, 0))
        s.close()
    except OSError as e:
        log(role, "send %s -> %s" % (desc, errname(e)))
        return None
    log(role, "send %s -> 0" % desc)
    return 0


def tcp_options(mss=None, sack_ok=False, ts=None, wscale=None):
    """Option bytes in Linux's SYN layout: mss, then sackOK+TS as one word pair (or NOP,NOP,sackOK /
    NOP,NOP,TS), then NOP,wscale. ts is (val, ecr)."""
    import struct
    out = b""
    if mss is not None:
        out += struct.pack("!BBH", 2, 4, mss)
    if sack_ok and ts is not None:
        out += struct.pack("!BBBBII", 4, 2, 8, 10, ts[0] & 0xFFFFFFFF, ts[1] & 0xFFFFFFFF)
    elif sack_ok:
        out += b"\x01\x01\x04\x02"
    elif ts is not None:
        out += struct.pack("!BBBBII", 1, 1, 8, 10, ts[0] & 0xFFFFFFFF, ts[1] & 0xFFFFFFFF)
    if wscale is not None:
        out += struct.pack("!BBBB", 1, 3, 3, wscale)
    return out


class RawPeer:
    """A hand-driven TCP peer (packetdrill style) in front of a real socket: hand-built segments out through
    a raw socket, the other side's segments read from a raw socket. Sequence numbers given to send() are
    relative to the peer's ISN. The host's own TCP must not answer the other side (an iptables OUTPUT rule
    dropping its RSTs). With timestamps, every segment carries TS val = milliseconds of the experiment
    clock and TS ecr = the last TS val the other side sent."""

    def __init__(self, role, src, sport, dst, dport, isn=1000000, timestamps=False):
        self.role, self.src, self.sport, self.dst, self.dport = role, src, sport, dst, dport
        self.isn, self.timestamps = isn, timestamps
        self.peer_isn = None
        self.ts_recent = 0
        self.arrived = []  # (relative seq, length) of the other side's data segments not yet taken
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.rx.setblocking(False)

    def _drain(self, want_synack=False, limit=2.0):
        """Reads what has arrived (up to limit seconds for a SYN-ACK); keeps the latest TS val."""
        import select, struct
        deadline = time.monotonic() + (limit if want_synack else 0)
        while True:
            wait = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.rx], [], [], wait)
            if not ready:
                return
            data = self.rx.recv(65535)
            ihl = (data[0] & 15) * 4
            tcp = data[ihl:]
            sport, dport, seq, _ack, off, flags = struct.unpack("!HHIIBB", tcp[:14])
            if sport != self.dport or dport != self.sport or socket.inet_ntoa(data[12:16]) != self.dst:
                continue
            opts, i = tcp[20:(off >> 4) * 4], 0
            while i < len(opts) and opts[i] != 0:
                if opts[i] == 1:
                    i += 1
                    continue
                if opts[i] == 8 and i + 10 <= len(opts):
                    self.ts_recent = struct.unpack("!I", opts[i + 2:i + 6])[0]
                i += max(2, opts[i + 1])
            length = len(tcp) - (off >> 4) * 4
            if length > 0 and self.peer_isn is not None:
                self.arrived.append(((seq - self.peer_isn) & 0xffffffff, length))
            if flags & 0x12 == 0x12 and self.peer_isn is None:
                self.peer_isn = seq
                log(self.role, "recv SYN-ACK isn %d" % seq)
                if want_synack:
                    return

    def _ts(self):
        return (int(now() * 1000) + 1, self.ts_recent) if self.timestamps else None

    def connect(self, mss=1460, sack_ok=True, wscale=None, win=502):
        """SYN with the given options, wait (bounded) for the SYN-ACK, then the third ACK (window win)."""
        send_raw_tcp(self.role, self.src, self.sport, self.dst, self.dport, self.isn, 0, "S", 64240,
                     options=tcp_options(mss, sack_ok, self._ts(), wscale))
        self._drain(want_synack=True)
        if self.peer_isn is None:
            log(self.role, "no SYN-ACK")
            return None
        return self.send(1, 0, "A", win)

    def accept(self, mss=1460, sack_ok=True, wscale=None, win=65535, limit=5.0):
        """Waits (bounded) for the other side's SYN and answers it with a SYN-ACK (our ISN, the options given); the
        other side's ISN is then the base of the acknowledgements send() takes. Returns False without a SYN."""
        import select, struct
        deadline = time.monotonic() + limit
        while self.peer_isn is None:
            ready, _, _ = select.select([self.rx], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                log(self.role, "no SYN")
                return False
            data = self.rx.recv(65535)
            tcp = data[(data[0] & 15) * 4:]
            sport, dport, seq, _ack, _off, flags = struct.unpack("!HHIIBB", tcp[:14])
            if sport == self.dport and dport == self.sport and flags & 0x12 == 0x02:
                self.peer_isn = seq
                log(self.role, "recv SYN isn %d" % seq)
        send_raw_tcp(self.role, self.src, self.sport, self.dst, self.dport, self.isn, (self.peer_isn + 1) & 0xffffffff,
                     "SA", win, options=tcp_options(mss, sack_ok, self._ts(), wscale))
        return True

    def take_arrived(self):
        """The other side's data segments (relative seq, length) that arrived since the last call, in arrival order."""
        self._drain()
        taken, self.arrived = self.arrived, []
        return taken

    def send(self, seq, length, flags="PA", win=502, ack=1, sack=None):
        """One segment with relative seq and length bytes of payload, acknowledging ack (relative to the other
        side's ISN; 1: the SYN-ACK); sack: SACK blocks [(left, right)] relative to the other side's ISN."""
        self._drain()
        ts = self._ts()
        options = tcp_options(None, False, ts) if ts else b""
        if sack:
            import struct
            base = self.peer_isn or 0
            options += b"\x01\x01" + struct.pack("!BB", 5, 2 + 8 * len(sack)) + b"".join(
                struct.pack("!II", (base + l) & 0xffffffff, (base + r) & 0xffffffff) for l, r in sack)
        return send_raw_tcp(self.role, self.src, self.sport, self.dst, self.dport, self.isn + seq,
                            ((self.peer_isn or 0) + ack) & 0xffffffff, flags, win, b"x" * length, options)

def _snap(label, path, cmd):
    t = now()
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20).stdout.decode()
    # ss pads lines with spaces to the terminal width; drop trailing blanks only
    out = "\n".join(line.rstrip() for line in out.split("\n"))
    with open(path, "a") as f:
        f.write("### t=%.3f %s\n%s\n" % (t, label, out.rstrip("\n")))


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    cmd = argv[0]
    if cmd == "now":
        print("%.3f" % now())
    elif cmd == "until":
        until(float(argv[1]))
    elif cmd == "log":
        log(argv[1], " ".join(argv[2:]))
    elif cmd == "snap":
        i = argv.index("--")
        _snap(argv[1], argv[2], argv[i + 1:])
    elif cmd == "snaps":
        i = argv.index("--")
        for t in sorted(float(x) for x in argv[3].split(",")):
            until(t)
            _snap(argv[1], argv[2], argv[i + 1:])
    elif cmd == "t0":
        # monotonic and wall clock sampled together
        print("%.6f %.6f" % (time.monotonic(), time.time()))
    else:
        print("unknown command " + cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
