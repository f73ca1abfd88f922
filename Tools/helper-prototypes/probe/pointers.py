# Writes d.c and d.tcx: each helper id 1..211 called with pointers of other kinds (a map value
# maybe NULL, a moved context, pkt_end, skb->sk checked or not, a slot at the frame top, a record).
shapes = {
 'o': ('ONULL', ['val', '8', 'val', '8', '0']),
 'c': ('', ['(char *)ctx + 8', '0', '0', '0', '0']),
 'e': ('PEND', ['end', '8', 'end', '8', '0']),
 'k': ('SKN', ['sk', '0', '0', '0', '0']),
 'K': ('SKC', ['sk', '0', '0', '0', '0']),
 't': ('', ['(char *)buf + 56', '16', '(char *)buf + 56', '16', '0']),
 'r': ('RING', ['rec', '8', 'rec', '8', '0']),
}
out = ['''#include <linux/bpf.h>
#define SEC(x) __attribute__((section(x), used))
struct { int (*type)[BPF_MAP_TYPE_ARRAY]; int (*max_entries)[1]; __u32 *key; __u64 (*value)[8]; } numbers SEC(".maps");
struct { int (*type)[BPF_MAP_TYPE_RINGBUF]; int (*max_entries)[4096]; } ring SEC(".maps");
static void *(*lookup)(void *map, const void *key) = (void *)1;
static void *(*reserve)(void *map, __u64 size, __u64 flags) = (void *)131;
static void (*discard)(void *rec, __u64 flags) = (void *)133;
#define CALL(HID, a1, a2, a3, a4, a5) ({ register long r1 asm("r1") = (long)(a1); register long r2 asm("r2") = (long)(a2); register long r3 asm("r3") = (long)(a3); register long r4 asm("r4") = (long)(a4); register long r5 asm("r5") = (long)(a5); register long r0 asm("r0"); asm volatile("call %[hid]" : "=r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5) : [hid]"i"(HID) : "memory"); r0; })
#define BUF long buf[8] = {0}; asm volatile("" :: "r"(buf) : "memory");
#define ONULL __u32 key = 0; void *val = lookup(&numbers, &key); asm volatile("" : "+r"(val));
#define PEND void *end = (void *)(long)((struct __sk_buff *)ctx)->data_end;
#define SKN struct bpf_sock *sk = ((struct __sk_buff *)ctx)->sk;
#define SKC struct bpf_sock *sk = ((struct __sk_buff *)ctx)->sk; if (!sk) return 0;
#define RING void *rec = reserve(&ring, 16, 0); if (!rec) return 0;
''']
script = []
for hid in range(1, 212):
    for name, (setup, regs) in shapes.items():
        tail = ' discard(rec, 0);' if setup == 'RING' else ''
        out.append('SEC("tc") int %s%d(void *ctx) { BUF %s long r = CALL(%d, %s);%s return r; }' % (name, hid, setup, hid, ', '.join(regs), tail))
        script.append('prog %s%d load d.o %s%d' % (name, hid, name, hid))
out.append('char _license[] SEC("license") = "GPL";')
open('d.c', 'w').write('\n'.join(out) + '\n')
open('d.tcx', 'w').write('\n'.join(script) + '\n')
