#!/bin/sh
# Builds the measurement programs; the .o files are committed like the test fixtures.
set -eu
cd "$(dirname "$0")"
for src in *.c; do
	"${CLANG:-clang}" -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/$(uname -m)-linux-gnu -c "$src" -o "${src%.c}.o"
	echo "built ${src%.c}.o"
done
