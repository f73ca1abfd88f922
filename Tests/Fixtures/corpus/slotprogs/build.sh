#!/bin/sh
# Rebuilds the slot-program corpus (XDP programs devmap and cpumap slots run). The .o files are
# committed so that tests need no compiler. Uses the map corpus's header.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
ARCH_INCLUDE=/usr/include/$(uname -m)-linux-gnu
for src in *.c; do
	obj=${src%.c}.o
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I../maps -I"$ARCH_INCLUDE" -c "$src" -o "$obj"
	echo "built $obj"
done
