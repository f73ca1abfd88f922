#!/bin/sh
# Rebuilds the example programs with the clang that ships with the Swift toolchain. The .o
# files are committed so that the example needs no compiler; run this after editing a .c.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
for src in *.c; do
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -c "$src" -o "${src%.c}.o"
	echo "built ${src%.c}.o"
done
