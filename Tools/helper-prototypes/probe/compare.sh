#!/bin/sh
# Loads every probe program on the kernel and on the embedded backend and counts the verdicts
# that differ. Run as root in a scratch directory:
#   python3 shapes.py && python3 pointers.py && compare.sh b d
# (each NAME: NAME.c is compiled to NAME.o, NAME.tcx lists its programs).
set -eu
TCX=${TCX:-tcx}
for name in "$@"; do
	clang -O2 -g -target bpf -mcpu=v3 -w -I/usr/include/$(uname -m)-linux-gnu -c "$name.c" -o "$name.o"
	cp "$name.tcx" "kernel-$name.tcx"
	cp "$name.tcx" "embedded-$name.tcx"
	"$TCX" script --backend kernel --record "kernel-$name.tcx" >/dev/null 2>&1 || true
	"$TCX" script --record "embedded-$name.tcx" >/dev/null 2>&1 || true
	paste -d'|' "kernel-$name.tcx" "embedded-$name.tcx" | awk -F'|' -v name="$name" '
		{ split($1, k, " => "); split($2, e, " => ")
		  if (k[2] != e[2]) { if (k[2] == "ok") refused++; else if (e[2] == "ok") accepted++; else errno++ } }
		END { print name ": false accepts " accepted+0 ", false refusals " refused+0 ", errno differences " errno+0 }'
done
