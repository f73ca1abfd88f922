#!/bin/sh
# Rebuilds the network-state corpus programs; the .o files are committed so tests need no compiler.
set -eu
cd "$(dirname "$0")"
for source in fib mtu neigh sockets vlan_repeat syncookie raw_syncookie reqsk; do
	"${CLANG:-clang}" -O2 -g -target bpf -mcpu=v3 -c "$source.c" -o "$source.o"
	echo "built $source.o"
done
# sk_storage.c uses the uapi <linux/bpf.h>, which needs the architecture's headers.
"${CLANG:-clang}" -O2 -g -target bpf -mcpu=v3 -I"/usr/include/$(uname -m)-linux-gnu" -c sk_storage.c -o sk_storage.o
echo "built sk_storage.o"
