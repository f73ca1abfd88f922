#!/bin/sh
# Rebuilds the object-loader fixtures with the clang that ships with the Swift toolchain.
# The .o files are committed so that tests need no compiler; run this after editing a .c.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
for src in *.c; do
	obj=${src%.c}.o
	case "$src" in
	bigendian.c) target=bpfeb ;;
	*) target=bpf ;;
	esac
	"$CLANG" -O2 -g -target "$target" -mcpu=v3 -c "$src" -o "$obj"
	echo "built $obj"
done
