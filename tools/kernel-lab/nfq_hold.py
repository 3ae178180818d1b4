#!/usr/bin/env python3
"""Holds chosen TCP segments for a while: a deterministic reordering for kernels without netem.

Run in the router namespace with an iptables rule sending the client's packets to NFQUEUE, e.g.
  iptables -A FORWARD -s 10.0.1.2 -p tcp -j NFQUEUE --queue-num 0 --queue-bypass
  nfq_hold.py --queue 0 --hold 14481:10 --hold 94137:3 --log held.log --seconds 30
Every packet is accepted at once but those whose sequence number, relative to the SYN's, is named with
--hold REL:MS: the first copy of each (the original, not a retransmission) is accepted MS milliseconds later,
so that the segments sent after it overtake it. Standard library only (raw nfnetlink). Bounded by --seconds.
"""
import argparse
import heapq
import os
import select
import socket
import struct
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQA_PACKET_HDR, NFQA_PAYLOAD = 1, 10
NFQA_VERDICT_HDR = 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_PACKET = 2
NF_ACCEPT = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(kind, queue, attrs, flags=NLM_F_REQUEST):
    body = struct.pack("BB", socket.AF_UNSPEC, 0) + struct.pack("!H", queue) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


def attributes(data):
    found, offset = {}, 0
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4:
            break
        found[kind & 0x3FFF] = data[offset + 4:offset + length]
        offset += (length + 3) & ~3
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queue", type=int, default=0)
    parser.add_argument("--hold", action="append", default=[], help="REL:MS, relative sequence and milliseconds")
    parser.add_argument("--log", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    holds = {int(rel): float(ms) / 1000 for rel, ms in (h.split(":") for h in args.hold)}
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    sock.send(message(NFQNL_MSG_CONFIG, args.queue, [attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET))], NLM_F_REQUEST | NLM_F_ACK))
    sock.send(message(NFQNL_MSG_CONFIG, args.queue, [attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0xFFFF, NFQNL_COPY_PACKET))], NLM_F_REQUEST | NLM_F_ACK))
    log = open(args.log, "w", buffering=1)
    log.write("ready\n")
    isn, held, pending = None, set(), []
    deadline = time.monotonic() + args.seconds

    def accept(packet_id):
        sock.send(message(NFQNL_MSG_VERDICT, args.queue, [attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))]))

    while time.monotonic() < deadline:
        timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else 0.05
        readable, _, _ = select.select([sock], [], [], timeout)
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, packet_id, rel = heapq.heappop(pending)
            accept(packet_id)
            log.write("%.6f released %d\n" % (now, rel))
        if not readable:
            continue
        data = sock.recv(65536)
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                found = attributes(data[offset + 20:offset + length])
                packet_id = struct.unpack("!I", found[NFQA_PACKET_HDR][:4])[0]
                ip = found.get(NFQA_PAYLOAD, b"")
                delay = 0.0
                if len(ip) >= 40 and ip[9] == 6:
                    ihl = (ip[0] & 0x0F) * 4
                    seq = struct.unpack_from("!I", ip, ihl + 4)[0]
                    flags = ip[ihl + 13]
                    data_length = struct.unpack_from("!H", ip, 2)[0] - ihl - (ip[ihl + 12] >> 4) * 4
                    if flags & 0x02:
                        isn = seq
                    elif isn is not None and data_length > 0:
                        rel = (seq - isn) & 0xFFFFFFFF
                        if rel in holds and rel not in held:
                            held.add(rel)
                            delay = holds[rel]
                            heapq.heappush(pending, (time.monotonic() + delay, packet_id, rel))
                            log.write("%.6f held %d for %.3f s\n" % (time.monotonic(), rel, delay))
                if delay == 0.0:
                    accept(packet_id)
            offset += (length + 3) & ~3
    for _, packet_id, _ in pending:
        accept(packet_id)
    log.write("done\n")


if __name__ == "__main__":
    os.nice(-5) if os.geteuid() == 0 else None
    main()
