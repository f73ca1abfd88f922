#!/bin/bash
# tracecmp.sh TCX KCOUNT OBJECT PROGRAM: the first pruning where the embedded verifier and the
# kernel's part (their "N: safe" lines in order), to start looking for the rule that differs.
set -u
TCX=$1; KCOUNT=$2; O=$3; P=$4
WORK=$(mktemp -d)
KCOUNT_LOG=$WORK/kernel.log "$KCOUNT" "$O" "$P" > /dev/null
echo "prog p load $O $P" > "$WORK/one.tcx"
TCX_VERIFIER_TRACE=1 "$TCX" script "$WORK/one.tcx" 2> "$WORK/embedded.log" > /dev/null
grep -E "^([0-9]+|from [0-9]+ to [0-9]+): safe" "$WORK/kernel.log" | sed 's/from [0-9]* to //; s/: safe//' > "$WORK/k"
grep ": safe" "$WORK/embedded.log" | sed 's/: safe//' > "$WORK/e"
echo "prunings: kernel $(wc -l < "$WORK/k"), embedded $(wc -l < "$WORK/e")"
paste "$WORK/k" "$WORK/e" | awk '$1 != $2 {print "first difference at pruning " NR ": kernel at insn " $1 ", embedded at insn " $2; exit}'
echo "logs kept in $WORK"
