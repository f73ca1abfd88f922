#!/bin/sh
# Rebuilds the perf event test program. The .o is committed so that tests need no compiler; run
# this after editing the .c. Needs the uapi headers (<linux/bpf.h>).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
ARCH_INCLUDE=/usr/include/$(uname -m)-linux-gnu
for src in *.c; do
	obj=${src%.c}.o
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I"$ARCH_INCLUDE" -c "$src" -o "$obj"
	echo "built $obj"
done
