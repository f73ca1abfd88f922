#!/bin/sh
# Builds the exceptions corpus: one object per C file, committed beside it so tests need no compiler.
# Needs the uapi and libbpf headers (<linux/bpf.h>, <bpf/bpf_helpers.h>).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
ARCH_INCLUDE=/usr/include/$(uname -m)-linux-gnu
for src in *.c; do
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -Werror -Wno-unused-function -I"$ARCH_INCLUDE" -c "$src" -o "${src%.c}.o"
	echo "built ${src%.c}.o"
done
