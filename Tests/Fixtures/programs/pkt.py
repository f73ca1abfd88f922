"""Packet builders for the corpus generator (gen.py): Ethernet, VLAN, IPv4, IPv6, TCP, UDP, ICMP
with correct checksums, plus the helpers to break them (truncate, bad fields)."""
import struct

def mac(n):
    return bytes([0x02, 0, 0, 0, 0, n])

def ip4(s):
    return bytes(int(x) for x in s.split('.'))

def ip6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed

def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def eth(payload, ethertype=0x0800, dst=mac(2), src=mac(1)):
    return dst + src + struct.pack('!H', ethertype) + payload

def vlan(payload, vid=100, ethertype=0x0800, tpid=0x8100, pcp=0, dst=mac(2), src=mac(1)):
    return dst + src + struct.pack('!HHH', tpid, (pcp << 13) | vid, ethertype) + payload

def ipv4(src, dst, proto, payload, ident=1, frag=0, ttl=64, tos=0, options=b'', version=4, ihl=None, check=None):
    hl = 20 + len(options)
    if ihl is None:
        ihl = hl // 4
    hdr = struct.pack('!BBHHHBBH4s4s', (version << 4) | ihl, tos, hl + len(payload), ident, frag, ttl, proto, 0,
                      ip4(src), ip4(dst)) + options
    c = csum(hdr) if check is None else check
    return hdr[:10] + struct.pack('!H', c) + hdr[12:] + payload

def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack('!IHBB16s16s', 0x60000000, len(payload), nh, hlim, ip6(src), ip6(dst)) + payload

def _l4(proto, src, dst, segment, family):
    if family == 4:
        pseudo = ip4(src) + ip4(dst) + struct.pack('!BBH', 0, proto, len(segment))
    else:
        pseudo = ip6(src) + ip6(dst) + struct.pack('!IxxxB', len(segment), proto)
    return csum(pseudo + segment)

def tcp(src, dst, sport, dport, payload=b'', family=4, flags=0x18, seq=1, ack=0):
    seg = struct.pack('!HHIIHHHH', sport, dport, seq, ack, (5 << 12) | flags, 8192, 0, 0) + payload
    c = _l4(6, src, dst, seg, family)
    return seg[:16] + struct.pack('!H', c) + seg[18:]

def udp(src, dst, sport, dport, payload=b'', family=4, zero_csum=False):
    seg = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    c = 0 if zero_csum else (_l4(17, src, dst, seg, family) or 0xffff)
    return seg[:6] + struct.pack('!H', c) + seg[8:]

def icmp_echo(ident=0x1234, seq=1, payload=b'ping', type_=8):
    hdr = struct.pack('!BBHHH', type_, 0, 0, ident, seq) + payload
    return hdr[:2] + struct.pack('!H', csum(hdr)) + hdr[4:]

def icmp6_echo(src, dst, ident=0x1234, seq=1, payload=b'ping'):
    msg = struct.pack('!BBHHH', 128, 0, 0, ident, seq) + payload
    c = _l4(58, src, dst, msg, 6)
    return msg[:2] + struct.pack('!H', c) + msg[4:]

# Whole frames.
def tcp4(src='10.0.0.1', dst='10.0.0.2', sport=1234, dport=80, payload=b'hello', **kw):
    return eth(ipv4(src, dst, 6, tcp(src, dst, sport, dport, payload)), **kw)

def udp4(src='10.0.0.1', dst='10.0.0.2', sport=5353, dport=53, payload=b'query', **kw):
    return eth(ipv4(src, dst, 17, udp(src, dst, sport, dport, payload)), **kw)

def icmp4(src='10.0.0.1', dst='10.0.0.2', **kw):
    return eth(ipv4(src, dst, 1, icmp_echo()), **kw)

def tcp6(src='fd00::1', dst='fd00::2', sport=1234, dport=80, payload=b'hello6'):
    return eth(ipv6(src, dst, 6, tcp(src, dst, sport, dport, payload, family=6)), 0x86dd)

def udp6(src='fd00::1', dst='fd00::2', sport=5353, dport=53, payload=b'query6'):
    return eth(ipv6(src, dst, 17, udp(src, dst, sport, dport, payload, family=6)), 0x86dd)

def icmp6(src='fd00::1', dst='fd00::2'):
    return eth(ipv6(src, dst, 58, icmp6_echo(src, dst)), 0x86dd)

def arp():
    body = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac(1) + ip4('10.0.0.1') + bytes(6) + ip4('10.0.0.2')
    return eth(body, 0x0806, dst=b'\xff' * 6)

def frag4(src='10.0.0.1', dst='10.0.0.2', proto=17, offset=185, more=False, payload=b'fragment-data...'):
    return eth(ipv4(src, dst, proto, payload, frag=(0x2000 if more else 0) | offset))

def tagged(frame, vid=100, tpid=0x8100):
    """Inserts a VLAN tag after the MAC addresses of an Ethernet frame."""
    return frame[:12] + struct.pack('!HH', tpid, vid) + frame[12:]

def command(body, ethertype=0x88b5):
    """A control packet: Ethernet with a local EtherType, then the command bytes."""
    return eth(body, ethertype, dst=bytes(6), src=bytes(6))

def hexs(b):
    return b.hex()
