#!/bin/sh
# Rebuilds the network-state corpus programs; the .o files are committed so tests need no compiler.
set -eu
cd "$(dirname "$0")"
for source in fib mtu neigh sockets vlan_repeat syncookie raw_syncookie; do
	"${CLANG:-clang}" -O2 -g -target bpf -mcpu=v3 -c "$source.c" -o "$source.o"
	echo "built $source.o"
done
