/* Global variables in custom data sections holding a lock and a kptr. libbpf types each
 * global-data map with its section's DATASEC, where the kernel finds the special fields: without
 * that BTF the kernel refuses the lock ("has to have BTF in order to use bpf_spin_lock") and the
 * exchange. Userspace reads those fields as zeros, and programs may not touch them directly. */
#include "objects.h"

struct tally {
	__u64 packets;
	__u64 bytes;
};

SEC(".bss.guarded") struct bpf_spin_lock guard;
SEC(".bss.guarded") __u64 guarded_bytes;
SEC(".bss.kept") struct tally __kptr *kept;
SEC(".bss.kept") __u64 exchanges;

/* Adds the packet's length under the lock and answers with the running total. */
SEC("tc")
int add_length(struct __sk_buff *skb)
{
	__u64 total;

	bpf_spin_lock(&guard);
	guarded_bytes += skb->len;
	total = guarded_bytes;
	bpf_spin_unlock(&guard);
	return total;
}

/* Takes the tally out of the global kptr (making one the first time), counts this packet in
 * it and puts it back: answers packets * 1000 + bytes of the packets so far. */
SEC("tc")
int count_packet(struct __sk_buff *skb)
{
	struct tally *t = bpf_kptr_xchg(&kept, NULL);
	int ret;

	exchanges++;
	if (!t) {
		t = new_object(struct tally);
		if (!t)
			return -1;
		/* The kernel zeroes only an object's special fields. */
		t->packets = 0;
		t->bytes = 0;
	}
	t->packets++;
	t->bytes += skb->len;
	ret = t->packets * 1000 + t->bytes;
	t = bpf_kptr_xchg(&kept, t);
	if (t)
		drop_object(t);
	return ret;
}

/* Refused: the lock word of a global is the kernel's, as in a map value. */
SEC("tc")
int touch_guard(struct __sk_buff *skb)
{
	*(volatile __u32 *)&guard = 1;
	return 0;
}

/* Refused: a plain load of the kptr global is 8 bytes or nothing. */
SEC("tc")
int peek_narrow(struct __sk_buff *skb)
{
	return *(volatile __u32 *)&kept;
}
