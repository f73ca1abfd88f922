#!/bin/bash
# build.sh CILIUM_GIT_DIR OUT: Cilium's datapath objects with bpf/Makefile's MAX options, loadable
# by libbpf and by tcx: sections tc/entry and tc/tail made `tc`, the static tail-call functions
# made global, CILIUM_PIN_REPLACE pinning made 0 (what Cilium's own loader does instead).
# CILIUM_GIT_DIR: a git directory of cilium (e.g. `fetch github:46labs/cilium`, 9fe94b64cd).
set -euo pipefail
GIT=$1; OUT=$2
mkdir -p "$OUT/src" "$OUT/obj"
git -C "$GIT" archive HEAD bpf | tar -x -C "$OUT/src"
cd "$OUT/src/bpf"
sed -i 's|#define __section_entry\t\t__section(PROG_TYPE "/entry")|#define __section_entry __section("tc")|' include/bpf/section.h
sed -i 's|__section(PROG_TYPE "/tail")|__section("tc")|; s|__uint(pinning, CILIUM_PIN_REPLACE);|__uint(pinning, 0);|' lib/tailcall.h
find . -name "*.c" -o -name "*.h" | xargs perl -0pi -e 's/(__declare_tail\([^)]*\)\s*\\?\s*\n)static /$1/g'
BASE="-DSKIP_DEBUG=1 -DENABLE_IPV4=1 -DENABLE_IPV6=1 -DENABLE_ROUTING=1 -DPOLICY_VERDICT_NOTIFY=1
 -DALLOW_ICMP_FRAG_NEEDED=1 -DENABLE_IDENTITY_MARK=1 -DMONITOR_AGGREGATION=3 -DCT_REPORT_FLAGS=0x0002
 -DENABLE_HOST_FIREWALL=1 -DENABLE_ICMP_RULE=1 -DENABLE_CUSTOM_CALLS=1 -DENABLE_SRV6=1 -DENABLE_L7_LB=1
 -DENABLE_MASQUERADE_IPV4=1 -DENABLE_IP_MASQ_AGENT_IPV4=1 -DENABLE_MASQUERADE_IPV6=1 -DENABLE_IP_MASQ_AGENT_IPV6=1
 -DENABLE_NODEPORT=1 -DENABLE_NODEPORT_ACCELERATION=1 -DENABLE_DSR_ICMP_ERRORS=1 -DENABLE_DSR=1
 -DENABLE_DSR_HYBRID=1 -DENABLE_IPV4_FRAGMENTS=1 -DENABLE_BANDWIDTH_MANAGER=1 -DENABLE_EGRESS_GATEWAY=1
 -DENABLE_VTEP=1 -DENABLE_TPROXY=1 -DENABLE_HOST_ROUTING=1 -DENCAP_IFINDEX=1 -DTUNNEL_MODE=1"
# clang 21: keep cold code in its function (libbpf refuses static .cold functions) and no trap
# call after unreachable code.
FLAGS="-I. -Iinclude -O2 -g --target=bpf -std=gnu99 -nostdinc -ftrap-function=__undefined_trap
 -Wno-address-of-packed-member -Wno-unknown-warning-option -Wno-gnu-variable-sized-type-not-at-end -mcpu=v3
 -mllvm -hotcoldsplit-threshold=1000000 -mllvm -bpf-disable-trap-unreachable"
clang $BASE -DENABLE_IPSEC=1 -DENABLE_WIREGUARD=1 -DENCRYPTION_STRICT_MODE=1 $FLAGS -c bpf_host.c -o "$OUT/obj/bpf_host_max.o"
clang $BASE $FLAGS -c bpf_lxc.c -o "$OUT/obj/bpf_lxc_max.o"
for f in overlay wireguard; do clang $BASE -DENABLE_WIREGUARD=1 $FLAGS -c bpf_$f.c -o "$OUT/obj/bpf_${f}_max.o"; done
ls "$OUT/obj"
