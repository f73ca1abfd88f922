/* XDP's RX metadata kfuncs (hash, timestamp, VLAN tag) need a program bound to a device, which a
 * test-run never loads: the kernel refuses any program that calls one, reached or not, as it
 * collects the program's kfunc calls ("metadata kfuncs require device-bound program", EINVAL).
 * The object's other programs load. */
#include "kfuncs.h"

enum xdp_rss_hash_type { RSS_TYPE_NONE = 0 };

extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym;
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym __weak;
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto, __u16 *vlan_tci) __ksym;

/* Set by nobody: the hinted paths stay dead. */
const volatile int use_hints = 0;

/* Reads the RX hash on every frame. */
SEC("xdp")
int xdp_reads_hash(struct xdp_md *ctx)
{
	enum xdp_rss_hash_type type;
	__u32 hash = 0;

	if (bpf_xdp_metadata_rx_hash(ctx, &hash, &type))
		return XDP_PASS;
	return hash & 1 ? XDP_DROP : XDP_PASS;
}

/* Reads the timestamp (a weak extern the kernel has) only when asked to. */
SEC("xdp")
int xdp_timestamp_when_asked(struct xdp_md *ctx)
{
	__u64 stamp = 0;

	if (use_hints && kfunc_present(bpf_xdp_metadata_rx_timestamp))
		bpf_xdp_metadata_rx_timestamp(ctx, &stamp);
	return stamp ? XDP_DROP : XDP_PASS;
}

/* A tc program sharing the hinted code behind the flag. */
SEC("tc")
int tc_vlan_when_asked(struct __sk_buff *skb)
{
	__be16 proto = 0;
	__u16 tci = 0;

	if (use_hints)
		bpf_xdp_metadata_rx_vlan_tag((void *)skb, &proto, &tci);
	return tci ? 2 : 0;
}

/* The object's plain program. */
SEC("tc")
int tc_plain(struct __sk_buff *skb)
{
	return skb->len & 1;
}

char _license[] SEC("license") = "GPL";
