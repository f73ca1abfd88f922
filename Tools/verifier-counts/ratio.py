#!/usr/bin/env python3
"""ratio.py KCOUNTS EMBEDDED [EMBEDDED2]: the geometric mean of embedded/kernel processed
instructions over the programs both counted (kcount output against `TCX_VERIFIER_STATS=1
harness2.sh embedded` output), and the programs furthest from the kernel."""
import math, re, sys

def kernel(path):
    counts = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "processed":
            counts[parts[0].removesuffix(".o") + "__" + parts[1]] = int(parts[3])
    return counts

def embedded(path):
    counts = {}
    for line in open(path):
        name, _, rest = line.partition(" | ")
        found = [int(n) for n in re.findall(r"embedded: processed (\d+) insns", rest)]
        if found and "gave-up" not in rest:
            counts[name.strip()] = sum(found)
    return counts

k = kernel(sys.argv[1])
runs = [embedded(p) for p in sys.argv[2:]]
names = sorted(n for n in k if all(n in e and e[n] > 0 for e in runs) and k[n] > 0)
for path, e in zip(sys.argv[2:], runs):
    logs = [math.log(e[n] / k[n]) for n in names]
    print(f"{path}: {len(names)} programs, geomean embedded/kernel {math.exp(sum(logs) / len(logs)):.3f}, "
          f"total embedded {sum(e[n] for n in names)} kernel {sum(k[n] for n in names)}")
worst = sorted(names, key=lambda n: -runs[-1][n] / k[n])[:15]
for n in worst:
    print(f"  {n}: kernel {k[n]} " + " ".join(str(e[n]) for e in runs))
