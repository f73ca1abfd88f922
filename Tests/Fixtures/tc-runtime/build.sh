#!/bin/sh
# Builds the tc-runtime fixtures with the clang that ships with the Swift toolchain.
set -e
cd "$(dirname "$0")"
CLANG=${CLANG:-/opt/swift/usr/bin/clang}
for c in *.c; do
	"$CLANG" -O2 -g0 -target bpf -mcpu=v3 -c "$c" -o "${c%.c}.o"
done
