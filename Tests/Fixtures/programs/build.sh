#!/bin/sh
# Rebuilds the differential corpus with the clang that ships with the Swift toolchain.
# The .o files are committed so that tests need no compiler; run this after editing a .c.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
for src in *.c; do
	obj=${src%.c}.o
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -Werror -c "$src" -o "$obj"
	echo "built $obj"
done
