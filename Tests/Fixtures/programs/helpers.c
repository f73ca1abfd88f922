/* One program per helper, parameters from a command packet (14 bytes Ethernet, then struct hcmd),
 * results stamped into the packet at byte 14 + 32 (ANSWER) or shown by the packet itself. */
#include "progs.h"

struct hcmd { s32 a; u32 b; u64 c; u64 d; u64 e; };
#define ANSWER (14 + 32)

INLINE int cmd(struct __sk_buff *skb, struct hcmd *c)
{
	return skb_load_bytes(skb, 14, c, sizeof(*c));
}

/* load 8 bytes at a, store them at b with flags c; answer: both results and the bytes. */
SEC("tc")
int h_load_store(struct __sk_buff *skb)
{
	struct hcmd c;
	if (cmd(skb, &c))
		return -1000;
	u64 bytes = 0x1111111111111111ULL;
	s64 r1 = skb_load_bytes(skb, c.a, &bytes, 8);
	s64 r2 = skb_store_bytes(skb, c.b, &bytes, 8, c.c);
	u64 out[3] = { r1, r2, bytes };
	skb_store_bytes(skb, ANSWER, out, sizeof(out), 0);
	return skb->hash;
}

/* l3_csum_replace(a, d, e, b) then l4_csum_replace(a + 2, d, e, c): results at ANSWER. */
SEC("tc")
int h_csum_replace(struct __sk_buff *skb)
{
	struct hcmd c;
	if (cmd(skb, &c))
		return -1000;
	s64 r[2];
	r[0] = l3_csum_replace(skb, c.a, c.d, c.e, c.b);
	r[1] = l4_csum_replace(skb, c.a + 2, c.d, c.e, c.c);
	skb_store_bytes(skb, ANSWER, r, sizeof(r), 0);
	return 0;
}

/* csum_diff of the first a and b bytes (multiples of 4, up to 16) of the two 16-byte buffers
 * that follow the command, seed c. */
SEC("tc")
int h_csum_diff(struct __sk_buff *skb)
{
	struct hcmd c;
	u32 from[4], to[4];
	if (cmd(skb, &c) || skb_load_bytes(skb, 14 + 32, from, 16) || skb_load_bytes(skb, 14 + 48, to, 16))
		return -1000;
	u32 fs = c.a & 0x1c, ts = c.b & 0x1c;
	if (fs > 16) fs = 16;
	if (ts > 16) ts = 16;
	s64 r = csum_diff(from, fs, to, ts, (u32)c.c);
	skb_store_bytes(skb, 14 + 64, &r, 8, 0);
	return 0;
}

INLINE void stamp_len(struct __sk_buff *skb, s64 r)
{
	u32 out[2] = { (u32)r, skb->len };
	skb_store_bytes(skb, 0, out, 8, 0);
}

/* skb_change_tail(a, c); skb_change_head(b, d); adjust_room(a, b, c); pull_data(a): result and
 * new len over the destination MAC, the packet itself in out=. */
SEC("tc") int h_change_tail(struct __sk_buff *skb) { struct hcmd c; if (cmd(skb, &c)) return -1000; stamp_len(skb, skb_change_tail(skb, c.a, c.c)); return 0; }
SEC("tc") int h_change_head(struct __sk_buff *skb) { struct hcmd c; if (cmd(skb, &c)) return -1000; stamp_len(skb, skb_change_head(skb, c.b, c.d)); return 0; }

/* adjust_room needs a real IP frame: its parameters (s32 len_diff, u32 mode, u64 flags) are the
 * frame's last 16 bytes. */
SEC("tc")
int h_adjust_room(struct __sk_buff *skb)
{
	struct { s32 diff; u32 mode; u64 flags; } p;
	if (skb_load_bytes(skb, skb->len - 16, &p, sizeof(p)))
		return -1000;
	stamp_len(skb, skb_adjust_room(skb, p.diff, p.mode, p.flags));
	return 0;
}

SEC("tc")
int h_pull_data(struct __sk_buff *skb)
{
	struct hcmd c;
	if (cmd(skb, &c))
		return -1000;
	s64 r = skb_pull_data(skb, c.a);
	/* data_end - data after the pull: all of the test-run packet is linear already. */
	u32 linear = (u32)(DATA_END(skb) - DATA(skb));
	u32 out[2] = { (u32)r, linear };
	skb_store_bytes(skb, 0, out, 8, 0);
	return 0;
}

/* set_hash(a) / set_hash_invalid / get_hash_recalc: the hash after each, where deterministic.
 * The recalculated hash is the kernel's keyed flow hash and ours differs (docs/tc-runtime.md):
 * only whether skb->hash equals what get_hash_recalc returned is shown. */
SEC("tc")
int h_hash(struct __sk_buff *skb)
{
	struct hcmd c;
	if (cmd(skb, &c))
		return -1000;
	u32 out[6];
	out[0] = skb->hash;
	out[1] = set_hash(skb, c.a);
	out[2] = skb->hash;
	set_hash_invalid(skb);
	out[3] = skb->hash;
	u32 h = get_hash_recalc(skb);
	out[4] = skb->hash == h;
	set_hash(skb, c.b);
	out[5] = skb->hash;
	skb_store_bytes(skb, ANSWER, out, sizeof(out), 0);
	return 0;
}

/* ktime, prandom, processor id: only what is deterministic is shown — ktime is non-zero and does
 * not go back, boot time is not behind monotonic time, the CPU is below 64. prandom is called
 * and not shown. */
SEC("tc")
int h_time_random_cpu(struct __sk_buff *skb)
{
	u64 t1 = ktime_get_ns();
	u64 b1 = ktime_get_boot_ns();
	u32 r1 = get_prandom_u32();
	u32 r2 = get_prandom_u32();
	u64 t2 = ktime_get_ns();
	u32 cpu = get_smp_processor_id();
	u8 out[4] = { t1 != 0, t2 >= t1, b1 >= t1, cpu < 64 };
	(void)r1; (void)r2;
	skb_store_bytes(skb, ANSWER, out, 4, 0);
	return 0;
}

/* trace_printk: the return value (the length written) for a few formats. */
SEC("tc")
int h_printk(struct __sk_buff *skb)
{
	struct hcmd c;
	if (cmd(skb, &c))
		return -1000;
	static const char f0[] = "corpus len=%u proto=%x\n";
	static const char f1[] = "corpus %d %5u|%-4x|%%\n";
	static const char f2[] = "corpus %lld %llx %lu\n";
	static const char f3[] = "corpus %08x %+d % d\n";
	s64 out[4];
	out[0] = trace_printk(f0, sizeof(f0), skb->len, skb->protocol);
	out[1] = trace_printk(f1, sizeof(f1), c.a, 42, 0xab);
	out[2] = trace_printk(f2, sizeof(f2), (s64)c.c, c.c, c.d);
	out[3] = trace_printk(f3, sizeof(f3), c.b, c.a, c.a);
	skb_store_bytes(skb, ANSWER, out, sizeof(out), 0);
	return 0;
}

struct loop_ctx { u64 sum; u32 stop_at; u32 calls; };

static long loop_body(u32 i, struct loop_ctx *ctx)
{
	ctx->calls++;
	ctx->sum += i * i;
	return i + 1 == ctx->stop_at ? 1 : 0;
}

/* bpf_loop(a iterations, stop after b, flags c): result, calls, sum. The kernel needs the
 * object's BTF and func_info for the callback, which the kernel backend passes (docs/objects.md). */
SEC("tc")
int h_loop(struct __sk_buff *skb)
{
	struct hcmd c;
	if (cmd(skb, &c))
		return -1000;
	struct loop_ctx ctx = { .stop_at = c.b };
	s64 r = loop(c.a, loop_body, &ctx, c.c);
	u64 out[3] = { r, ctx.calls, ctx.sum };
	skb_store_bytes(skb, ANSWER, out, sizeof(out), 0);
	return 0;
}

/* bpf_redirect(a, c): the verdict it returns is the program's. */
SEC("tc")
int h_redirect(struct __sk_buff *skb)
{
	struct hcmd c;
	if (cmd(skb, &c))
		return -1000;
	return redirect(c.a, c.c);
}

LICENSE;
