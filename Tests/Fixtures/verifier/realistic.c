/* Programs written the way real tc programs are (header parsing with variable lengths, option
 * loops, NAT with helpers that move the packet, bpf_loop over the skb, spilled packet
 * pointers, a static parser taking a cursor): the embedded verifier must give the kernel's
 * verdict on each (realistic.tcx, recorded on Linux 6.18). Written for swift-tcx. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
static void *(*map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)26;
static long (*skb_store_bytes)(void *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)9;
static long (*l3_csum_replace)(void *skb, __u32 offset, __u64 from, __u64 to, __u64 size) = (void *)10;
static long (*redirect)(__u32 ifindex, __u64 flags) = (void *)23;
struct flow { __u32 saddr, daddr; __u16 sport, dport; __u8 proto; __u8 pad[3]; };
struct stats { __u64 packets, bytes; __u32 hist[16]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, struct flow); __type(value, struct stats); } flows SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u32); } backends SEC(".maps");

SEC("tc") int parse_v4(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end) return 0;
	if (eth->h_proto != __builtin_bswap16(ETH_P_IP)) return 0;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end) return 0;
	__u32 ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip)) return 0;
	struct flow f = {};
	f.saddr = ip->saddr; f.daddr = ip->daddr; f.proto = ip->protocol;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)ip + ihl;
		if ((void *)(tcp + 1) > end) return 0;
		f.sport = tcp->source; f.dport = tcp->dest;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)ip + ihl;
		if ((void *)(udp + 1) > end) return 0;
		f.sport = udp->source; f.dport = udp->dest;
	}
	struct stats *s = map_lookup_elem(&flows, &f);
	if (!s) {
		struct stats fresh = {};
		map_update_elem(&flows, &f, &fresh, 0);
		s = map_lookup_elem(&flows, &f);
		if (!s) return 0;
	}
	s->packets++;
	s->bytes += skb->len;
	__u32 bucket = skb->len >> 7;
	if (bucket > 15) bucket = 15;
	s->hist[bucket]++;
	return 0;
}

SEC("tc") int tcp_options(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl != 5) return 0;
	struct tcphdr *tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > end) return 0;
	__u8 *opt = (void *)(tcp + 1);
	__u32 mss = 0;
	for (int i = 0; i < 10; i++) {
		if ((void *)(opt + 1) > end) break;
		__u8 kind = opt[0];
		if (kind == 0) break;
		if (kind == 1) { opt++; continue; }
		if ((void *)(opt + 2) > end) break;
		__u8 len = opt[1];
		if (kind == 2 && len == 4) {
			if ((void *)(opt + 4) > end) break;
			mss = (opt[2] << 8) | opt[3];
			break;
		}
		if (len < 2) break;
		opt += len & 0x3f;
	}
	return mss;
}

SEC("tc") int nat_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end) return 0;
	__u32 key = ip->daddr & 7;
	__u32 *backend = map_lookup_elem(&backends, &key);
	if (!backend) return 0;
	__u32 old = ip->daddr, new = *backend;
	l3_csum_replace(skb, ETH_HLEN + __builtin_offsetof(struct iphdr, check), old, new, 4);
	skb_store_bytes(skb, ETH_HLEN + __builtin_offsetof(struct iphdr, daddr), &new, 4, 0);
	data = (void *)(long)skb->data; end = (void *)(long)skb->data_end;
	ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end) return 0;
	return redirect(ip->ttl, 0);
}

SEC("tc") int load_header(struct __sk_buff *skb)
{
	struct { struct ethhdr eth; struct ipv6hdr ip6; } h;
	if (skb_load_bytes(skb, 0, &h, sizeof(h)) < 0) return 0;
	__u32 acc = 0;
	for (int i = 0; i < 16; i++) acc += h.ip6.saddr.s6_addr[i] ^ h.ip6.daddr.s6_addr[i];
	__u32 idx = acc % 8;
	__u32 *b = map_lookup_elem(&backends, &idx);
	return b ? *b : 0;
}
#define NOINLINE __attribute__((noinline))
static long (*loop)(__u32 nr, void *callback, void *ctx, __u64 flags) = (void *)181;
struct cursor { void *pos; void *end; };
struct scan { struct __sk_buff *skb; __u32 off; __u32 sum; };

static NOINLINE int parse_eth(struct cursor *c, __u16 *proto)
{
	struct ethhdr *eth = c->pos;
	if ((void *)(eth + 1) > c->end) return -1;
	*proto = eth->h_proto;
	c->pos = eth + 1;
	return 0;
}

SEC("tc") int ipv6_ext(struct __sk_buff *skb)
{
	struct cursor c = { (void *)(long)skb->data, (void *)(long)skb->data_end };
	__u16 proto;
	if (parse_eth(&c, &proto) < 0 || proto != __builtin_bswap16(ETH_P_IPV6)) return 0;
	struct ipv6hdr *ip6 = c.pos;
	if ((void *)(ip6 + 1) > c.end) return 0;
	__u8 next = ip6->nexthdr;
	__u8 *p = (void *)(ip6 + 1);
	for (int i = 0; i < 6; i++) {
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS) break;
		if ((void *)(p + 2) > c.end) return 0;
		next = p[0];
		p += (p[1] + 1) * 8;
	}
	if (next != IPPROTO_TCP) return 0;
	struct tcphdr *tcp = (void *)p;
	if ((void *)(tcp + 1) > c.end) return 0;
	return tcp->dest;
}

static long scan_step(__u32 i, struct scan *s)
{
	__u8 byte;
	if (skb_load_bytes(s->skb, s->off + i, &byte, 1)) return 1;
	s->sum += byte;
	return 0;
}
SEC("tc") int checksum_loop(struct __sk_buff *skb)
{
	struct scan s = { skb, 14, 0 };
	loop(32, scan_step, &s, 0);
	return s.sum;
}

SEC("tc") int spill_packet_pointers(struct __sk_buff *skb)
{
	volatile struct cursor c = { (void *)(long)skb->data, (void *)(long)skb->data_end };
	__u8 *pos = c.pos;
	if ((void *)(pos + 20) > c.end) return 0;
	return pos[19];
}
static long (*l4_csum_replace)(void *skb, __u32 offset, __u64 from, __u64 to, __u64 flags) = (void *)11;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } ports SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, char[256]); } scratch SEC(".maps");

SEC("tc") int u16_offsets(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > end) return 0;
	__u16 l4_off = ETH_HLEN + ip->ihl * 4;
	if (data + l4_off + sizeof(struct tcphdr) > end) return 0;
	struct tcphdr *tcp = data + l4_off;
	__u32 key = __builtin_bswap16(tcp->dest) & 63;
	__u64 *count = map_lookup_elem(&ports, &key);
	if (count) __sync_fetch_and_add(count, 1);
	return tcp->syn;
}

SEC("tc") int signed_offset(struct __sk_buff *skb)
{
	int off = skb->mark;
	if (off < 0 || off > 200) return 0;
	__u8 buf[8];
	if (skb_load_bytes(skb, off, buf, sizeof(buf))) return 0;
	return buf[off & 7];
}

SEC("tc") int scratch_copy(struct __sk_buff *skb)
{
	__u32 zero = 0;
	char *buf = map_lookup_elem(&scratch, &zero);
	if (!buf) return 0;
	__u32 len = skb->len;
	if (len > 256) len = 256;
	if (len < 1) return 0;
	if (skb_load_bytes(skb, 0, buf, len)) return 0;
	return buf[len - 1];
}

SEC("tc") int port_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP) return 0;
	struct udphdr *udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end) return 0;
	__be16 old = udp->dest, new = __builtin_bswap16(5353);
	__u32 csum_off = ETH_HLEN + sizeof(*ip) + __builtin_offsetof(struct udphdr, check);
	l4_csum_replace(skb, csum_off, old, new, sizeof(new) | BPF_F_PSEUDO_HDR);
	skb_store_bytes(skb, ETH_HLEN + sizeof(*ip) + __builtin_offsetof(struct udphdr, dest), &new, sizeof(new), 0);
	data = (void *)(long)skb->data; end = (void *)(long)skb->data_end;
	udp = data + ETH_HLEN + sizeof(*ip);
	if ((void *)(udp + 1) > end) return 0;
	return udp->dest;
}

char _license[] SEC("license") = "GPL";
