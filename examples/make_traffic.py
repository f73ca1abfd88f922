#!/usr/bin/env python3
"""Writes traffic.pcap, the capture the example replays: a few dozen Ethernet frames from a
small office's uplink — TCP, UDP and ICMP over IPv4 and IPv6, DNS queries (which the firewall
drops), ARP, a VLAN-tagged frame and one frame the capture cut short. Deterministic: run it
again and the bytes are the same. Standard library only."""
import struct
import sys

HOST = bytes.fromhex("020000000001")
GW = bytes.fromhex("020000000002")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(src, dst, proto, payload):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                         bytes(src), bytes(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ipv6(src, dst, proto, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, 64, src, dst) + payload


def tcp(sport, dport, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 64240, 0, 0) + data


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def icmp(kind, data=b"ping"):
    body = struct.pack("!BBHHH", kind, 0, 0, 7, 1) + data
    return body[:2] + struct.pack("!H", checksum(body)) + body[4:]


def ether(kind, payload, vlan=None):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return GW + HOST + tag + struct.pack("!H", kind) + payload


V4_HOST, V4_WEB, V4_DNS = [10, 0, 0, 2], [93, 184, 216, 34], [10, 0, 0, 53]
V6_HOST = bytes.fromhex("20010db8000000000000000000000002")
V6_WEB = bytes.fromhex("20010db8000000000000000000000080")
V6_DNS = bytes.fromhex("20010db8000000000000000000000053")
DNS_QUERY = bytes.fromhex("123401000001000000000000076578616d706c6503636f6d0000010001")


def frames():
    """(frame, captured length) pairs; the captured length is the frame's unless cut short."""
    out = []
    v4 = lambda proto, payload, dst=V4_WEB: ether(0x0800, ipv4(V4_WEB if dst == V4_HOST else V4_HOST, dst, proto, payload))
    v6 = lambda proto, payload, dst=V6_WEB: ether(0x86DD, ipv6(V6_HOST, dst, proto, payload))
    # A web session over IPv4: handshake, request, data, close.
    for flags, data in [(0x02, b""), (0x10, b""), (0x18, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
                        (0x10, b""), (0x11, b"")]:
        out.append(v4(6, tcp(40000, 80, flags, data)))
    # DNS over IPv4 and IPv6 (dropped by the firewall), and NTP and a UDP echo (passed).
    out += [v4(17, udp(5353 + i, 53, DNS_QUERY), V4_DNS) for i in range(3)]
    out += [v6(17, udp(5400 + i, 53, DNS_QUERY), V6_DNS) for i in range(2)]
    out += [v4(17, udp(123, 123, bytes(48))), v4(17, udp(7000, 7, b"echo")), v6(17, udp(7001, 7, b"echo"))]
    # Pings both ways.
    out += [v4(1, icmp(8)), v4(1, icmp(0), V4_HOST), v4(1, icmp(8))]
    out += [v6(58, icmp(128)), v6(58, icmp(129)), v6(58, icmp(128))]
    # TLS over IPv6.
    for flags in [0x02, 0x10, 0x18, 0x18, 0x10, 0x11]:
        out.append(v6(6, tcp(40100, 443, flags, b"\x16\x03\x01" if flags == 0x18 else b"")))
    # ARP who-has.
    out.append(ether(0x0806, struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, HOST, bytes(V4_HOST),
                                          bytes(6), bytes(V4_WEB))))
    # VLAN 100: a DNS query (dropped) and a TCP SYN (passed).
    out.append(ether(0x0800, ipv4(V4_HOST, V4_DNS, 17, udp(5500, 53, DNS_QUERY)), vlan=100))
    out.append(ether(0x0800, ipv4(V4_HOST, V4_WEB, 6, tcp(40200, 22, 0x02)), vlan=100))
    out = [(f, len(f)) for f in out]
    # A TCP segment the capture cut at 40 bytes: Ethernet, IPv4 and 6 bytes of TCP.
    cut = v4(6, tcp(40300, 80, 0x18, b"x" * 100))
    out.append((cut, 40))
    return out


def write(path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))  # Ethernet
        for i, (frame, caplen) in enumerate(frames()):
            f.write(struct.pack("<IIII", 1700000000 + i // 10, (i % 10) * 100000, caplen, len(frame)))
            f.write(frame[:caplen])


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else __file__.rsplit("/", 1)[0] + "/traffic.pcap")
