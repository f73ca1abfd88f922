#!/bin/sh
# Rebuilds the host-test programs; the .o files are committed so tests need no compiler.
set -eu
cd "$(dirname "$0")"
"${CLANG:-clang}" -O2 -g -target bpf -mcpu=v3 -c counter.c -o counter.o
echo "built counter.o"
