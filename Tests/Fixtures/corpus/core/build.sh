#!/bin/sh
# Rebuilds the CO-RE corpus: programs built against a vmlinux.h (generated here with bpftool from
# the running kernel's BTF, not committed) and the raw BTF files the unit tests use as targets.
# The .o and .btf files are committed so that tests need no compiler; run this after editing a .c.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
OBJCOPY=${OBJCOPY:-llvm-objcopy}
if [ ! -s vmlinux.h ]; then
	bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h
fi
for src in core_*.c; do
	obj=${src%.c}.o
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -c "$src" -o "$obj"
	echo "built $obj"
done
# Target BTF for the unit tests: the types of target_*.c, as a raw .BTF section.
for src in target_*.c; do
	"$CLANG" -O2 -g -target bpf -c "$src" -o /tmp/tcx-core-target.o
	"$OBJCOPY" --dump-section .BTF="${src%.c}.btf" /tmp/tcx-core-target.o
	rm -f /tmp/tcx-core-target.o
	echo "built ${src%.c}.btf"
done
