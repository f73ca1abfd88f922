#!/bin/sh
# Builds the skb helper corpus: one object per C file, committed beside it.
set -e
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
for c in *.c; do
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -c "$c" -o "${c%.c}.o"
done
