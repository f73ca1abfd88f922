#!/usr/bin/env python3
"""compare.py BEFORE AFTER: two stats.sh outputs side by side (programs whose count changed or
is over 1.2 times the kernel's), then totals and how many programs equal the kernel's count."""
import sys

def load(path):
    rows = {}
    for line in open(path):
        t = line.split()
        k, e = t.index("kernel"), t.index("embedded")
        kernel = int(t[k + 1]) if t[k + 1].isdigit() else 0
        embedded = int(t[e + 1]) if t[e + 1].isdigit() else 0
        rows[t[0] + "/" + t[1]] = (kernel, embedded, "gave-up" in t, float(t[-1]))
    return rows

before, after = load(sys.argv[1]), load(sys.argv[2])
for name in sorted(after, key=lambda n: -after[n][1] / (after[n][0] + 1)):
    kernel, count, gave, cpu = after[name]
    old = before.get(name, (0, 0, False, 0.0))
    if old[1] != count or count > 1.2 * kernel:
        print(f"{name:48} kernel {kernel:8} before {old[1]:8}{'*' if old[2] else ' '} {old[3]:5.2f}s "
              f"after {count:8}{'*' if gave else ' '} {cpu:5.2f}s")
for label, rows in (("before", before), ("after", after)):
    print(f"{label}: kernel {sum(r[0] for r in rows.values())}, embedded {sum(r[1] for r in rows.values())} "
          f"({sum(r[3] for r in rows.values()):.1f} s), equal {sum(r[0] == r[1] for r in rows.values())} of {len(rows)}")
