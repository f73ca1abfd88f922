#!/bin/bash
# stats.sh TCX KCOUNT OBJDIR OUT: per tc program of OBJDIR/*.o, the kernel's processed count
# (kcount, root), the embedded one (TCX_VERIFIER_STATS) and the embedded load's user CPU.
# Lines: OBJECT PROGRAM kernel N embedded N [gave-up] SECONDS.
set -u
TCX=$1; KCOUNT=$2; DIR=$3; OUT=$4
rm -f "$OUT"; SCRIPT=$(mktemp --suffix=.tcx); TIME=$(mktemp)
for o in "$DIR"/*.o; do
  for p in $(llvm-objdump -t "$o" | awk '$3=="F" && $4=="tc" {print $NF}' | sort -u); do
    k=$("$KCOUNT" "$o" "$p" | awk '{print $4}')
    echo "prog p load $o $p" > "$SCRIPT"
    e=$(TCX_VERIFIER_STATS=1 /usr/bin/time -o "$TIME" -f "%U" "$TCX" script "$SCRIPT" 2>&1 \
        | sed -n 's/embedded: processed \([0-9]*\) insns .*pruned [0-9]*\(.*\)/\1\2/p')
    echo "$(basename "$o" .o) $p kernel $k embedded $e $(cat "$TIME")" >> "$OUT"
  done
done
rm -f "$SCRIPT" "$TIME"
