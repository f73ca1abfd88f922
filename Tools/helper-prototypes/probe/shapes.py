# Writes b.c and b.tcx: each helper id 1..211 called by a tc program with one argument shape
# (a map, a queue, packet pointers, unknown, negative and zero sizes, a map value, 4096 bytes).
shapes = {
 # name: (setup C, r1..r5 expressions)
 'm': ('', ['&numbers', '0', '0', '0', '0']),
 'k': ('', ['&numbers', 'buf', 'buf', '8', '0']),
 'q': ('', ['&queue', 'buf', 'buf', '8', '0']),
 'p': ('PKT', ['ctx', 'pkt', '8', 'pkt', '8']),
 'u': ('', ['ctx', 'buf', 'len', 'buf', 'len']),
 'n': ('', ['ctx', 'buf', '-1', 'buf', '-1']),
 'z': ('', ['ctx', '0', 'buf', '0', '0']),
 's': ('', ['buf', '8', 'buf', '8', '0']),
 'w': ('', ['ctx', 'buf', '8', 'buf', '8']),
 'v': ('VAL', ['val', '8', 'val', '8', '0']),
 'b': ('', ['ctx', 'buf', '4096', 'buf', '4096']),
}
out = ['''#include <linux/bpf.h>
#define SEC(x) __attribute__((section(x), used))
struct { int (*type)[BPF_MAP_TYPE_ARRAY]; int (*max_entries)[1]; __u32 *key; __u64 (*value)[8]; } numbers SEC(".maps");
struct { int (*type)[BPF_MAP_TYPE_QUEUE]; int (*max_entries)[4]; __u64 *value; } queue SEC(".maps");
static void *(*lookup)(void *map, const void *key) = (void *)1;
#define CALL(HID, a1, a2, a3, a4, a5) ({ register long r1 asm("r1") = (long)(a1); register long r2 asm("r2") = (long)(a2); register long r3 asm("r3") = (long)(a3); register long r4 asm("r4") = (long)(a4); register long r5 asm("r5") = (long)(a5); register long r0 asm("r0"); asm volatile("call %[hid]" : "=r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5) : [hid]"i"(HID) : "memory"); r0; })
#define BUF long buf[8] = {0}; asm volatile("" :: "r"(buf) : "memory"); long len = ((struct __sk_buff *)ctx)->len;
#define PKT void *pkt = (void *)(long)((struct __sk_buff *)ctx)->data; if (pkt + 64 > (void *)(long)((struct __sk_buff *)ctx)->data_end) return 0;
#define VAL __u32 key = 0; void *val = lookup(&numbers, &key); if (!val) return 0;
''']
script = []
for hid in range(1, 212):
    for name, (setup, regs) in shapes.items():
        out.append('SEC("tc") int %s%d(void *ctx) { BUF %s return CALL(%d, %s); }' % (name, hid, setup, hid, ', '.join(regs)))
        script.append('prog %s%d load b.o %s%d' % (name, hid, name, hid))
out.append('char _license[] SEC("license") = "GPL";')
open('b.c', 'w').write('\n'.join(out) + '\n')
open('b.tcx', 'w').write('\n'.join(script) + '\n')
