# Writes one line per IPv4 packet of a classic pcap (Ethernet or raw link type): "seconds.micros HEX",
# so tests can rebuild the packets without committing the capture itself.
import struct, sys
data = open(sys.argv[1], "rb").read()
magic, = struct.unpack("<I", data[:4])
assert magic == 0xA1B2C3D4, "expects a little-endian microsecond pcap"
link, = struct.unpack("<I", data[20:24])
at = 24
while at + 16 <= len(data):
    sec, usec, incl, orig = struct.unpack("<IIII", data[at:at + 16])
    frame = data[at + 16:at + 16 + incl]
    at += 16 + incl
    ip = frame[14:] if link == 1 else frame
    print(f"{sec}.{usec:06d} {ip.hex()}")
