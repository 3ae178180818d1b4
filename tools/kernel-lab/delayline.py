#!/usr/bin/env python3
"""A userspace router with a fixed one-way delay, for kernel-lab's routed topology.

sch_netem is not available in the kernel of these machines, so `tc qdisc ... netem delay` cannot make a
path slow. This program stands in for the router's forwarding instead: run in the router namespace with
net.ipv4.ip_forward=0, it reads the IPv4 frames arriving on its two interfaces through AF_PACKET sockets
and sends each one out of the other interface DELAY milliseconds later, as a router would (destination
MAC of the host on that side, source MAC of the router's interface, TTL decremented, checksums made
whole). The kernel of the router still answers ARP for its own addresses and drops the frames it may not
forward; frames addressed to the router itself are left to it.

Transmit checksum offload on veth leaves TCP checksums unfinished in the frames a packet socket reads;
they are recomputed before sending. GSO super-segments would exceed the MTU: the hosts' interfaces must
send one segment per skb (`ip link set c0 gso_max_segs 1`, as lab_delay_line does).

With --rate-kbit R each direction is also a link of R kbit/s: a frame is sent on only once the ones before it
in that direction have been (its IP length at R), then waits the delay, as a simulated link serialises and
then propagates.

Usage: delayline.py --delay-ms D [--rate-kbit R] --left IF LEFT_HOST_MAC --right IF RIGHT_HOST_MAC --stats FILE
Stops on SIGTERM/SIGINT (writing the frame counts to FILE) or after --limit-seconds (default 600).
Standard library only; every wait is bounded.
"""
import argparse
import heapq
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
IPPROTO_TCP = 6


def mac_bytes(text):
    return bytes(int(part, 16) for part in text.split(":"))


def own_mac(interface):
    with open("/sys/class/net/%s/address" % interface) as f:
        return mac_bytes(f.read().strip())


def own_addresses():
    """IPv4 addresses of this namespace (frames to them are the router's own, not forwarded)."""
    out = os.popen("ip -4 -o addr show").read().split("\n")
    return {socket.inet_aton(line.split()[3].split("/")[0]) for line in out if " inet " in line}


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def route(packet):
    """The IPv4 packet as the router sends it on: TTL - 1, header and TCP checksums recomputed; None to drop."""
    header_length = (packet[0] & 0x0F) * 4
    total_length = struct.unpack("!H", packet[2:4])[0]
    packet = bytearray(packet[:total_length])
    if packet[8] <= 1:
        return None
    packet[8] -= 1
    packet[10:12] = b"\0\0"
    packet[10:12] = struct.pack("!H", checksum(bytes(packet[:header_length])))
    fragment = struct.unpack("!H", packet[6:8])[0] & 0x1FFF
    if packet[9] == IPPROTO_TCP and fragment == 0:
        segment = packet[header_length:]
        segment[16:18] = b"\0\0"
        pseudo = bytes(packet[12:20]) + struct.pack("!BBH", 0, IPPROTO_TCP, len(segment))
        segment[16:18] = struct.pack("!H", checksum(pseudo + bytes(segment)))
        packet[header_length:] = segment
    return bytes(packet)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--left", nargs=2, required=True, metavar=("IF", "HOST_MAC"))
    parser.add_argument("--right", nargs=2, required=True, metavar=("IF", "HOST_MAC"))
    parser.add_argument("--stats", required=True)
    parser.add_argument("--rate-kbit", type=float, default=0)
    parser.add_argument("--limit-seconds", type=float, default=600)
    args = parser.parse_args()

    delay = args.delay_ms / 1000.0
    mine = own_addresses()
    sides = {}
    for name, host_mac in (args.left, args.right):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        sides[name] = {"socket": s, "host": mac_bytes(host_mac), "own": own_mac(name)}
    other = {args.left[0]: args.right[0], args.right[0]: args.left[0]}
    by_fd = {side["socket"].fileno(): name for name, side in sides.items()}
    counts = {name: 0 for name in sides}
    queue = []
    sequence = 0
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    end = time.monotonic() + args.limit_seconds
    busy_until = {name: 0.0 for name in sides}

    while not stopping and time.monotonic() < end:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            sides[out]["socket"].send(frame)
            counts[out] += 1
        timeout = min(queue[0][0] - now if queue else 1.0, 1.0)
        try:
            ready, _, _ = select.select(list(by_fd), [], [], max(timeout, 0))
        except InterruptedError:
            continue
        for fd in ready:
            name = by_fd[fd]
            frame, address = sides[name]["socket"].recvfrom(65600)
            if address[2] == PACKET_OUTGOING or len(frame) < 34 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
                continue
            if frame[0:6] != sides[name]["own"] or frame[30:34] in mine:
                continue
            packet = route(frame[14:])
            if packet is None:
                continue
            out = other[name]
            sequence += 1
            leaves = time.monotonic()
            if args.rate_kbit > 0:
                leaves = max(leaves, busy_until[out]) + len(packet) * 8 / (args.rate_kbit * 1000.0)
                busy_until[out] = leaves
            heapq.heappush(queue, (leaves + delay, sequence, out,
                                   sides[out]["host"] + sides[out]["own"] + struct.pack("!H", ETH_P_IP) + packet))

    with open(args.stats, "w") as f:
        f.write(" ".join("%s:%d" % (name, counts[name]) for name in sorted(counts)) + " queued:%d\n" % len(queue))
    return 0


if __name__ == "__main__":
    sys.exit(main())
