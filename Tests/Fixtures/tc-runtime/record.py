"""Records the kernel's BPF_PROG_TEST_RUN results for the tc-runtime fixtures (root only).

Writes expected.txt: one line per case, `object section repeat packet-hex => retval out-hex`
or `=> errno N`. TestRunDifferentialTests runs the same cases on the VM and compares."""
import random, struct
from kernel import sections, load, test_run

def eth(t, payload):
    return bytes(6) + bytes.fromhex('020000000001') + struct.pack('>H', t) + payload

rng = random.Random(7)
ip4 = eth(0x0800, bytes.fromhex('4500003c000140004006') + bytes(10) + bytes(range(60)))
ip6 = eth(0x86dd, bytes.fromhex('60000000001411ff') + bytes(32) + bytes(range(40)))
vlan = eth(0x8100, bytes.fromhex('0007 0800'.replace(' ', '')) + ip4[14:])
qinq = eth(0x88a8, bytes.fromhex('0003 8100 0004 0800'.replace(' ', '')) + ip4[14:])
other = bytes.fromhex('ffffffffffff020000000001') + bytes.fromhex('88b5') + bytes(146)
packets = [ip4, ip6, vlan, qinq, other, eth(0x0800, bytes(20)), eth(0x1234, b''), eth(0x0800, bytes(19)),
           eth(0x86dd, bytes(39)), bytes(13)]

cases = []
for name in sorted(k for k in sections('resize.o') if k.startswith('tc/')):
    for p in packets[:7]:
        cases.append(('resize.o', name, 1, p))
for p in packets:
    cases.append(('ctx_read.o', 'tc', 1, p))
    cases.append(('ctx_read.o', 'tc', 1, p + bytes(max(0, 160 - len(p))) if len(p) >= 14 else p))
for _ in range(6):
    cases.append(('ctx_write.o', 'tc', 1, other[:16] + bytes(rng.getrandbits(8) for _ in range(144))))
for _ in range(40):
    body = bytearray(rng.getrandbits(8) for _ in range(146))
    if rng.random() < 0.3:
        body[2:4] = b'\0\0'  # a zero checksum for the mangled-0 rules
    if rng.random() < 0.2:
        body[2:4] = b'\xff\xff'
    cases.append(('csum.o', 'tc', 1, other[:14] + bytes(body)))
cases.append(('resize.o', 'tc/tail_grow', 3, ip4))
for n in (3712, 3713):
    cases.append(('resize.o', 'tc/tail_trim', 1, other[:14] + bytes(n - 14)))

lines = []
for obj, sec, repeat, packet in cases:
    fd = load(sections(obj)[sec])
    r = test_run(fd, packet, repeat)
    result = f"errno {r['errno']}" if 'errno' in r else f"{r['retval']} {r['out'].hex()}"
    lines.append(f'{obj} {sec} {repeat} {packet.hex()} => {result}')
open('expected.txt', 'w').write('\n'.join(lines) + '\n')
print(len(lines), 'cases recorded')
