#!/bin/sh
# Rebuilds the tests' programs with the clang that ships with the Swift toolchain. The .o files
# are committed so that the tests need no compiler; run this after editing a .c.
set -eu
cd "$(dirname "$0")"
for src in *.c; do
	"${CLANG:-clang}" -O2 -g -target bpf -mcpu=v3 -c "$src" -o "${src%.c}.o"
done
