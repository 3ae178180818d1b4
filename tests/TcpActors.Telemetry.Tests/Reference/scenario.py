# Reference scenario run inside a private network namespace: every socket on 127.0.0.1.
import socket, subprocess, time, struct, sys

def snap(tag):
    for cmd in (["ss", "-tan"], ["ss", "-tan", "-o"], ["netstat", "-tan"], ["netstat", "-n", "-t"], ["ss", "-tn"], ["ss", "-tln"], ["ss", "-tan", "state", "time-wait"], ["ss", "-tano", "state", "time-wait"], ["ss", "-tn", "state", "established"], ["netstat", "-tano"], ["ss", "-tano", "state", "connected"]):
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        with open(f"snap_{tag}_{'_'.join(c.strip('-') for c in cmd)}.txt", "w") as f:
            f.write(out)

def listener(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(16); return s

srv = listener(8888)
# 1. Normal exchange like seed 003: 30 bytes out, 22 back, client closes first.
c = socket.socket(); c.connect(("127.0.0.1", 8888)); a, _ = srv.accept()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1); a.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.send(b"x" * 30); time.sleep(0.05); a.recv(100); a.send(b"y" * 22); time.sleep(0.05); c.recv(100)
time.sleep(0.1); c.close(); time.sleep(0.1); a.close(); time.sleep(0.1)
# 2. Connection refused: RST with ACK.
r = socket.socket()
try: r.connect(("127.0.0.1", 9))
except OSError: pass
r.close()
# 3. Urgent data.
c = socket.socket(); c.connect(("127.0.0.1", 8888)); a, _ = srv.accept()
c.send(b"u" * 5, socket.MSG_OOB); time.sleep(0.05)
# 4. CLOSE_WAIT with unread bytes, keepalive on the server side, FIN_WAIT2 on the client.
k = socket.socket(); k.connect(("127.0.0.1", 8888)); ka, _ = srv.accept()
ka.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
k.send(b"z" * 1000); time.sleep(0.05); k.close(); time.sleep(0.1)
snap("closewait")
# 5. SACK: drop one data segment at INPUT, then let it be recovered.
subprocess.run("iptables -A INPUT -p tcp --dport 8888 -m length --length 900:1200 -m statistic --mode nth --every 100 --packet 1 -j DROP", shell=True, check=True)
s2 = socket.socket(); s2.connect(("127.0.0.1", 8888)); sa, _ = srv.accept()
s2.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for i in range(5):
    s2.send(bytes([65 + i]) * 1000); time.sleep(0.02)
time.sleep(0.5)
subprocess.run("iptables -F INPUT", shell=True, check=True)
# 6. Retransmission timer: data to a peer whose packets are dropped.
subprocess.run("iptables -A INPUT -p tcp --dport 8888 -m length --length 500:600 -j DROP", shell=True, check=True)
s2.send(b"r" * 500); time.sleep(0.3)
snap("retrans")
subprocess.run("iptables -F INPUT", shell=True, check=True)
time.sleep(1.5)
# 7. ICMP port unreachable via REJECT.
subprocess.run("iptables -A INPUT -p tcp --dport 8080 -j REJECT", shell=True, check=True)
x = socket.socket()
try: x.connect(("127.0.0.1", 8080))
except OSError as e: print("8080:", e)
x.close()
subprocess.run("iptables -F INPUT", shell=True, check=True)
# 8. FIN_WAIT2 timeout then FIN gets a bare RST (tcp_fin_timeout=1 in this namespace).
f = socket.socket(); f.connect(("127.0.0.1", 8888)); fa, _ = srv.accept()
f.send(b"q" * 523); time.sleep(0.05); fa.recv(1000); f.close(); time.sleep(2.5)
fa.close(); time.sleep(0.2)
snap("end")
