#!/usr/bin/env python3
"""Instructions per frame of `tcx bench datapath`, from a callgrind output file: the inclusive
cost of `EmbeddedSystem.forward` over the number of its calls (the frames), so the bench's
set-up and the worker loop around each frame are not counted.

    objcopy --strip-debug .build/release/tcx /tmp/tcx-nodebug
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \\
        /tmp/tcx-nodebug bench datapath --seconds 1 --chains 10 --workers 1 --updates 1
    Tools/frame-instructions/per-frame.py /tmp/cg.out
"""
import re
import sys

FORWARD = "EmbeddedSystemC7forward_6device_AA10PacketFateOSays5UInt8VG_s6UInt32VAC9DirectionOtF"


def main(path):
    lines = open(path).read().split("\n")
    names = {}
    callee = None
    calls = cost = 0
    for index, line in enumerate(lines):
        match = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if match:
            if match.group(2):
                names[match.group(1)] = match.group(2)
            if line.startswith("cfn="):
                callee = names.get(match.group(1))
            continue
        # A call line is followed by the line of its inclusive cost.
        if line.startswith("calls=") and callee and callee.endswith(FORWARD):
            calls += int(line.split("=")[1].split()[0])
            cost += int(lines[index + 1].split()[1])
    if calls == 0:
        sys.exit("no call of EmbeddedSystem.forward in " + path)
    print(f"{calls} frames, {cost / calls:.0f} instructions per frame")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: per-frame.py CALLGRIND_OUT")
    main(sys.argv[1])
