#!/usr/bin/env python3
"""Writes snprintf_btf_show.tcx (expectations left as `?`; record them with
`tcx script --record --backend kernel Tests/Fixtures/corpus/skb/snprintf_btf_show.tcx`).
Each case runs the program once and reads the answer back from map `shown`."""
import struct

ETH = bytes.fromhex('020000000002020000000001') + b'\x08\x00'
TYPES = ['iphdr', 'ethhdr', 'ipv6hdr', 'tcphdr', '__sk_buff', 'list_head', 'callback_head',
         'in6_addr', 'tcp_word_hdr', 'bpf_tunnel_key', 'bpf_map_type', 'rpm_status',
         'perf_callchain_context', 'int', 'char', 'signed char', 'unsigned char', '_Bool',
         '__int128', 'double', 's16', 'u16', 's64', 'u64', 'u128', 'atomic_t', 'unsigned int',
         'minmax', 'lpm_trie_node', 'bpf_reg_types', 'ping_group_range']
COMPACT, NONAME, PTR_RAW, ZERO = 1, 2, 4, 8
WHERE = {'stack': 0, 'packet': 1, 'map': 2, 'null': 3}

IPHDR = bytes.fromhex('4500005412344000400100007f0000010a000002')
ETHHDR = b'ab\0' + bytes.fromhex('00000000') + bytes.fromhex('7f01020304') + b'\x86\xdd'
IPV6 = bytes.fromhex('6012345600141140') + bytes.fromhex('fd000000000000000000000000000001') + \
    bytes.fromhex('20010db8000000000000000000000002')
TCP = bytes.fromhex('d43101bb0000000100000000') + bytes([0x50, 0x12]) + bytes.fromhex('ffff12340000')
SKB = struct.pack('<IIII', 98, 0, 7, 0) + struct.pack('<I', 0x0800) + bytes(20) + struct.pack('<5I', 1, 0, 3, 0, 0xffffffff)


def case(type_name, obj, flags=0, where='stack', size=0, note=''):
    body = bytes([TYPES.index(type_name), flags, WHERE[where], size]) + bytes(6)
    pkt = ETH + body + obj + bytes(192 - len(obj))
    return pkt, f'{type_name} flags={flags} {where}' + (f' size={size}' if size else '') + (f': {note}' if note else '')


cases = [
    case('iphdr', IPHDR),
    case('iphdr', IPHDR, COMPACT),
    case('iphdr', IPHDR, NONAME),
    case('iphdr', IPHDR, COMPACT | NONAME),
    case('iphdr', IPHDR, ZERO),
    case('iphdr', IPHDR, COMPACT | NONAME | PTR_RAW | ZERO),
    case('iphdr', IPHDR, 0, 'packet'),
    case('iphdr', IPHDR, COMPACT, 'map'),
    case('iphdr', IPHDR, 0, 'null', note='address 0'),
    case('iphdr', bytes(20), 0, note='all zero'),
    case('iphdr', bytes(20), COMPACT | ZERO, note='all zero, ZERO'),
    case('iphdr', IPHDR, 0, size=1, note='truncated to the NUL'),
    case('iphdr', IPHDR, 0, size=2),
    case('iphdr', IPHDR, COMPACT, size=17),
    case('iphdr', IPHDR, 0, size=100),
    case('ethhdr', ETHHDR, note='char arrays: a NUL ends one, unprintable bytes as numbers'),
    case('ethhdr', b'\x01\x02abcd' + b'zz\x7f\x20\x00\x00\x08\x00', COMPACT),
    case('ethhdr', bytes(14), COMPACT | ZERO),
    case('ipv6hdr', IPV6),
    case('ipv6hdr', IPV6, COMPACT),
    case('ipv6hdr', IPV6, COMPACT | ZERO),
    case('tcphdr', TCP),
    case('tcphdr', TCP, COMPACT | ZERO),
    case('__sk_buff', SKB),
    case('__sk_buff', SKB, COMPACT | NONAME),
    case('__sk_buff', bytes(8) + struct.pack('<Q', 0x1234), COMPACT | ZERO | PTR_RAW),
    case('list_head', struct.pack('<QQ', 0xffff888012345678, 0xffffffff81000000), PTR_RAW),
    case('list_head', struct.pack('<QQ', 0, 0xfffffffffffffff2), COMPACT | PTR_RAW | ZERO),
    case('list_head', bytes(16), COMPACT | ZERO, note='hashed pointers: NULL is shown as it is'),
    case('list_head', struct.pack('<QQ', 0, 0xfffffffffffffff2), COMPACT, note='an error pointer is shown as it is'),
    case('callback_head', struct.pack('<QQ', 0x1000, 0x2000), PTR_RAW),
    case('in6_addr', bytes.fromhex('fe800000000000000000000000000001')),
    case('in6_addr', bytes.fromhex('fe800000000000000000000000000001'), COMPACT),
    case('tcp_word_hdr', TCP),
    case('tcp_word_hdr', TCP, COMPACT),
    case('bpf_tunnel_key', struct.pack('<II', 5, 0x0100000a) + bytes(12) + bytes([3, 64]) + bytes(18), COMPACT),
    case('bpf_map_type', struct.pack('<I', 2)),
    case('bpf_map_type', struct.pack('<I', 999)),
    case('bpf_map_type', struct.pack('<I', 0), COMPACT),
    case('rpm_status', struct.pack('<i', -1)),
    case('rpm_status', struct.pack('<i', -7)),
    case('perf_callchain_context', struct.pack('<Q', 0xfffffffffffff001)),
    case('perf_callchain_context', struct.pack('<Q', 0xfffffffffffff00f)),
    case('int', struct.pack('<i', -5)),
    case('int', struct.pack('<i', 0), COMPACT | NONAME),
    case('char', b'A'),
    case('signed char', b'\xff'),
    case('unsigned char', b'\xc8', NONAME),
    case('_Bool', b'\x01'),
    case('_Bool', b'\x02'),
    case('__int128', struct.pack('<QQ', 5, 0)),
    case('__int128', struct.pack('<QQ', 0xffffffffffffffff, 0xffffffffffffffff)),
    case('double', struct.pack('<d', 1.5), note='CO-RE has no id for a float (as libbpf): 0, EINVAL'),
    case('s16', struct.pack('<h', -2)),
    case('u16', struct.pack('<H', 65535)),
    case('s64', struct.pack('<q', -2**63)),
    case('u64', struct.pack('<Q', 2**64 - 1)),
    case('u128', struct.pack('<QQ', 1, 2)),
    case('u128', struct.pack('<QQ', 0xa, 0), COMPACT | NONAME),
    case('atomic_t', struct.pack('<i', 3)),
    case('atomic_t', struct.pack('<i', 0), COMPACT),
    case('unsigned int', struct.pack('<I', 4000000000)),
    case('minmax', struct.pack('<6I', 1, 2, 0, 0, 5, 6), note='an array of structs: members without names'),
    case('minmax', struct.pack('<6I', 1, 2, 0, 0, 5, 6), COMPACT | ZERO),
    case('lpm_trie_node', struct.pack('<QQII', 0x1000, 0x2000, 24, 1), PTR_RAW,
         note='an array of pointers shows its first element each time'),
    case('lpm_trie_node', struct.pack('<QQII', 0, 0x2000, 0, 0), COMPACT | PTR_RAW | ZERO),
    case('bpf_reg_types', struct.pack('<10IQ', 1, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0x4000), PTR_RAW,
         note='a const array member: its name stops at the qualifier'),
    case('bpf_reg_types', bytes(48), COMPACT, note='an enumerator named for 0 shows'),
    case('ping_group_range', struct.pack('<QII', 0, 100, 200)),
]

with open('snprintf_btf_show.tcx', 'w') as f:
    f.write('# snprintf_btf_show.c: bpf_snprintf_btf showing kernel objects; recorded from Linux 6.18.\n')
    f.write('# Generated by snprintf_btf_show.py. Each test-run is followed by the map value it wrote:\n')
    f.write('# the helper\'s return value (8 bytes), then the text.\n\n')
    f.write('prog show load snprintf_btf_show.o show => ?\n')
    for pkt, note in cases:
        f.write(f'test-run show packet={pkt.hex()} => ?  # {note}\n')
        f.write('map-lookup snprintf_btf_show.o shown 00000000 => ?\n')
