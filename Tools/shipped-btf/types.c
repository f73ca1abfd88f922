/* Mentions every type of tc_types.h so that clang emits its BTF. */
#include "tc_types.h"

struct tcx_shipped_types {
	struct __sk_buff skb;
	struct bpf_sock sock;
	struct bpf_flow_keys flow_keys;
	struct bpf_tunnel_key tunnel_key;
	struct bpf_fib_lookup fib_lookup;
	struct ethhdr eth;
	struct vlan_hdr vlan;
	struct vlan_ethhdr vlan_eth;
	struct iphdr ip;
	struct ipv6hdr ip6;
	struct tcphdr tcp;
	struct udphdr udp;
	struct icmphdr icmp;
	struct icmp6hdr icmp6;
	struct sk_buff kernel_skb;
	struct nf_conn___init conntrack_entry;
	enum bpf_adj_room_mode adj_room_mode;
	enum bpf_hdr_start_off hdr_start_off;
	enum bpf_check_mtu_ret check_mtu_ret;
	enum bpf_check_mtu_flags check_mtu_flags;
	enum tcx_action_base tcx_action_base;
};

struct tcx_shipped_types tcx_shipped_types;
