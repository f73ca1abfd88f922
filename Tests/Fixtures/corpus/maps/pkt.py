#!/usr/bin/env python3
"""Prints a request packet of the map corpus: pkt.py OP KEY [VALUE [FLAGS]] (maps.h's layout)."""
import struct, sys
op, key = int(sys.argv[1], 0), int(sys.argv[2], 0)
value = int(sys.argv[3], 0) if len(sys.argv) > 3 else 0
flags = int(sys.argv[4], 0) if len(sys.argv) > 4 else 0
frame = bytes(12) + b"\x88\xb5" + struct.pack("<IIQQ", op, key, value, flags) + bytes(22)
print(frame.hex())
