#!/usr/bin/env python3
"""Seeds for FuzzBytecode: every executable section of the fixture objects, each prefixed with
the mode byte the target reads (0..5: JIT/interpreter x SCHED_CLS/run-time checks only/socket
filter). Written at run time from Tests/Fixtures, never committed a second time."""
import os, struct, sys

def code_sections(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    for i in range(shnum):
        base = shoff + i * shentsize
        _, kind, flags, _, offset, size = struct.unpack_from("<IIQQQQ", data, base)
        if kind == 1 and flags & 0x4 and 8 <= size <= 4096 * 8:
            yield data[offset:offset + size]

def main(fixtures, out):
    os.makedirs(out, exist_ok=True)
    count = 0
    for root, _, names in os.walk(fixtures):
        for name in sorted(names):
            if not name.endswith(".o"):
                continue
            for k, code in enumerate(code_sections(os.path.join(root, name))):
                for mode in range(6):
                    target = os.path.join(out, f"{name}-{k}-{mode}")
                    with open(target, "wb") as f:
                        f.write(bytes([mode]) + code)
                    count += 1
    print(f"{count} bytecode seeds in {out}")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
