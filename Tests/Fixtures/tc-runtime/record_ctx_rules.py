"""Records which __sk_buff accesses the kernel accepts in a SCHED_CLS program (root only).

One line per (offset, size, kind): kind r = load, w = store of a register, the kernel's
verdict 1/0. Writes ctx_rules.txt, which ContextRulesTests compares with ContextRules."""
import struct
from kernel import load

SIZES = {1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18}


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack('<BBhi', code, dst | (src << 4), off, imm)


def accepted(prog):
    try:
        fd = load(prog)
    except OSError:
        return 0
    import os
    os.close(fd)
    return 1


lines = []
for size, bits in SIZES.items():
    for off in range(0, 192, size):
        load_prog = insn(0x61 & ~0x18 | bits, 0, 1, off) + insn(0xb7, 0, 0, 0, 0) + insn(0x95)
        store_prog = insn(0xb7, 2, 0, 0, 0) + insn(0x63 & ~0x18 | bits, 1, 2, off) + insn(0xb7, 0) + insn(0x95)
        lines.append(f'{off} {size} r {accepted(load_prog)}')
        lines.append(f'{off} {size} w {accepted(store_prog)}')
open('ctx_rules.txt', 'w').write('\n'.join(lines) + '\n')
print(len(lines), 'accesses recorded')
