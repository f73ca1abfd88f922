#!/usr/bin/env python3
"""What a test-run costs besides the program, per run: calls into swift_retain/release,
allocations (malloc, swift_allocObject) and run-time exclusivity checks (swift_beginAccess),
counted by callgrind as `tcx prog run … --repeat N+1` minus `--repeat 1`, over N. Issue 11
wants none per run; the callers of any found are listed with --why.

    objcopy --strip-debug .build/release/tcx /tmp/tcx-nodebug   # valgrind cannot read its debug info
    Tools/run-audit/audit.py /tmp/tcx-nodebug                    # every `tcx bench programs` program
    Tools/run-audit/audit.py /tmp/tcx-nodebug --why Tests/Fixtures/programs/lb.o lb_set_backend

The packet is the bench's 256-byte TCP frame (`BenchPackets.tcp`).
"""
import collections
import os
import re
import struct
import subprocess
import sys
import tempfile

COUNTED = re.compile(r"^(swift_retain|swift_release|swift_bridgeObjectRetain|swift_bridgeObjectRelease|"
                     r"swift_unknownObjectRetain|swift_unknownObjectRelease|malloc|swift_allocObject|"
                     r"swift_beginAccess|swift_retain_n|swift_release_n)$")
LISTED = [
    ("Tests/Fixtures/tc-runtime/csum.o", "csum"), ("Tests/Fixtures/tc-runtime/ctx_read.o", "ctx_read"),
    ("Tests/Fixtures/tc-runtime/ctx_write.o", "ctx_write"), ("Tests/Fixtures/objects/legacy_maps.o", "count_legacy"),
    ("Tests/Fixtures/objects/btf_maps.o", "use_maps"), ("Tests/Fixtures/objects/globals.o", "read_globals"),
    ("Tests/Fixtures/objects/subprogs.o", "uses_middle"), ("Tests/Fixtures/objects/subprogs.o", "uses_loop"),
    ("Tests/Fixtures/corpus/kfunc/btf_skb.o", "skb_fields"),
]
DISCOVERED = ["Tests/Fixtures/programs", "examples/programs"]


def tcp_frame():
    """BenchPackets.tcp: Ethernet / IPv4 / TCP, 256 bytes, a valid IPv4 header checksum."""
    total = 256
    frame = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0])
    ip = bytearray([0x45, 0, (total - 14) >> 8, (total - 14) & 0xff, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0,
                    10, 0, 0, 1, 10, 0, 0, 2])
    s = sum(struct.unpack("!10H", bytes(ip)))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    ip[10:12] = struct.pack("!H", ~s & 0xffff)
    tcp = bytes([0x9c, 0x40, 0, 0x50, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0])
    frame = frame + bytes(ip) + tcp
    return frame + bytes(i & 0xff for i in range(total - len(frame)))


def programs():
    found = list(LISTED)
    for directory in DISCOVERED:
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".o"):
                continue
            path = os.path.join(directory, name)
            symbols = subprocess.run(["readelf", "-sW", path], capture_output=True, text=True).stdout
            for line in symbols.splitlines():
                f = line.split()
                if len(f) >= 8 and f[3] == "FUNC" and f[4] == "GLOBAL":
                    found.append((path, f[7]))
    return found


def edges(path):
    """(caller, callee) -> calls, from a callgrind output file (names compressed as `(id) name`)."""
    names, counts, caller, callee = {}, collections.Counter(), None, None

    def resolve(text):
        m = re.match(r"\((\d+)\)(?: (.*))?", text)
        if not m:
            return text
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), "?")

    for line in open(path, errors="replace"):
        if line.startswith("fn="):
            caller = resolve(line[3:].strip())
        elif line.startswith("cfn="):
            callee = resolve(line[4:].strip())
        elif line.startswith("calls=") and callee and COUNTED.match(callee):
            counts[(caller, callee)] += int(line[6:].split()[0])
    return counts


def measure(binary, obj, prog, packet, runs):
    results = []
    for repeat in (1, runs + 1):
        with tempfile.NamedTemporaryFile(suffix=".cg") as out:
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", binary, "prog", "run",
                            obj, prog, "--data-in", packet, "--repeat", str(repeat)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            results.append(edges(out.name))
    first, last = results
    return {key: (last[key] - first[key]) / runs for key in set(first) | set(last) if last[key] != first[key]}


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    binary, why = argv[1], "--why" in argv
    chosen = [tuple(argv[argv.index("--why") + 1:argv.index("--why") + 3])] if why else programs()
    with tempfile.NamedTemporaryFile(suffix=".bin") as packet:
        packet.write(tcp_frame())
        packet.flush()
        for obj, prog in chosen:
            per_run = measure(binary, obj, prog, packet.name, 500 if why else 2000)
            if why:
                for (caller, callee), n in sorted(per_run.items(), key=lambda kv: -kv[1]):
                    if n >= 0.01:
                        print(f"{n:7.2f} {callee} <- {caller}")
                continue
            totals = collections.Counter()
            for (_, callee), n in per_run.items():
                totals[callee] += n
            shown = " ".join(f"{k}={v:.2f}" for k, v in sorted(totals.items()) if abs(v) >= 0.01)
            print(f"{prog:24} {shown or 'none'}")


if __name__ == "__main__":
    main(sys.argv)
