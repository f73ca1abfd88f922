/* tc programs written as instruction sequences, each on one rule of the kernel's precision
 * tracking (mark_chain_precision): two paths join where the verifier keeps a state, the first
 * path explored is safe, the second differs from it only in a number the code after the join
 * depends on; the second path must not be pruned by the first's state. And the other way round:
 * a number nothing depends on must not stop the pruning. Written for swift-tcx; the kernel's
 * verdicts are recorded in precision_rules.tcx (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field
#define NAKED __attribute__((naked))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[64]);
} table SEC(".maps");

/* r0 = a value of `table` (key 0), or exit 0; r6 = skb->len first (a number not known). */
#define VALUE "r6 = *(u32 *)(r1 + 0); r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; " \
	"r1 = %[table] ll; call 1; if r0 != 0 goto +2; r0 = 0; exit; "
/* r7 = 8 on the first path explored (the fall-through), 100 on the second; then a join. */
#define TWO_PATHS "if r6 > 10 goto +2; r7 = 8; goto +1; r7 = 100; "
/* Instructions and jumps enough for the verifier to keep a state at the next jump target. */
#define FILLER "r5 = 0; r5 = 1; r5 = 2; r5 = 3; r5 = 4; r5 = 5; if r5 != 0 goto +0; r5 = 6; if r5 != 1 goto +0; r5 = 7; "
#define PROGRAM(name, body) \
	SEC("tc") NAKED void name(void) { asm volatile (body :: [table] "i"(&table) : "memory"); }

/* A number added to a pointer is precise: 100 past a 64-byte value is refused. */
PROGRAM(offset_after_join, VALUE TWO_PATHS "r0 += r7; r0 = *(u8 *)(r0 + 0); r0 = 0; exit;")
/* ... also when it waits on the stack across the join and comes back. */
PROGRAM(offset_spilled_across_join, VALUE "if r6 > 10 goto +3; r7 = 8; *(u64 *)(r10 - 16) = r7; goto +2; "
	"r7 = 100; *(u64 *)(r10 - 16) = r7; " FILLER "r7 = *(u64 *)(r10 - 16); r0 += r7; r0 = *(u8 *)(r0 + 0); r0 = 0; exit;")
/* ... and when copied to another register before it is used. */
PROGRAM(offset_copied_after_join, VALUE TWO_PATHS FILLER "r8 = r7; r8 += 1; r0 += r8; r0 = *(u8 *)(r0 + 0); r0 = 0; exit;")
/* A bound compared with a number that is then used: the bound is precise too (r7 < 4 on the
 * first path, r7 < 64 on the second, which lets r7 reach 15). */
PROGRAM(bound_register_after_join, VALUE "r8 = r6; r8 &= 15; if r6 > 10 goto +2; r9 = 4; goto +1; r9 = 64; " FILLER
	"if r8 >= r9 goto +3; r0 += r8; r0 = *(u64 *)(r0 + 53); r0 = 0; exit;")
/* The same bound compared through a copy of the number (same id): the copy narrows it. */
PROGRAM(bound_through_copy, VALUE "r8 = r6; r8 &= 15; if r6 > 10 goto +2; r9 = 4; goto +1; r9 = 64; " FILLER
	"r7 = r8; if r7 >= r9 goto +3; r0 += r8; r0 = *(u64 *)(r0 + 53); r0 = 0; exit;")
/* A comparison that goes one way decides: 8 passes the test, 100 fails it into a fault. */
PROGRAM(one_way_comparison, VALUE TWO_PATHS FILLER "if r7 < 50 goto +3; r1 = 0; r0 = *(u64 *)(r1 + 0); exit; r0 = 0; exit;")
/* An array lookup with a constant key in range gives no NULL: key 0 on the first path, 5 on
 * the second, stored before the join. */
PROGRAM(array_key_across_join, VALUE "if r6 > 10 goto +3; r7 = 0; *(u32 *)(r10 - 8) = r7; goto +2; r7 = 5; *(u32 *)(r10 - 8) = r7; "
	FILLER "r2 = r10; r2 += -8; r1 = %[table] ll; call 1; r0 = *(u64 *)(r0 + 0); r0 = 0; exit;")
/* A helper's size argument: 8 bytes fit the 16-byte buffer, 100 do not. */
PROGRAM(helper_size_after_join, "r6 = *(u32 *)(r1 + 0); r8 = r1; r9 = 0; *(u64 *)(r10 - 16) = r9; *(u64 *)(r10 - 8) = r9; "
	"if r6 > 10 goto +2; r7 = 8; goto +1; r7 = 100; " FILLER
	"r1 = r8; r2 = 0; r3 = r10; r3 += -16; r4 = r7; call 26; r0 = 0; exit;")
/* Through static functions: an argument used as an offset in the callee, a number the callee
 * stores in its caller's frame, a result the callee computes from its argument. */
#define SUBPROGRAM(name, body) \
	NAKED __attribute__((noinline, used)) static long name(void) { asm volatile (body :: [table] "i"(&table) : "memory"); }
SUBPROGRAM(read_at, "r7 = r1; " VALUE "r0 += r7; r0 = *(u8 *)(r0 + 0); r0 = 0; exit;")
SUBPROGRAM(store_to, "*(u64 *)(r1 + 0) = r2; r0 = 0; exit;")
SUBPROGRAM(twice, "r0 = r1; r0 += r1; exit;")
PROGRAM(argument_offset_in_callee, "r6 = *(u32 *)(r1 + 0); if r6 > 10 goto +2; r1 = 8; goto +1; r1 = 100; " FILLER
	"call read_at; r0 = 0; exit;")
PROGRAM(offset_stored_by_callee, VALUE "r7 = r0; if r6 > 10 goto +2; r2 = 8; goto +1; r2 = 100; " FILLER
	"r1 = r10; r1 += -16; call store_to; r8 = *(u64 *)(r10 - 16); r7 += r8; r0 = *(u8 *)(r7 + 0); r0 = 0; exit;")
PROGRAM(offset_computed_by_callee, VALUE "r7 = r0; if r6 > 10 goto +2; r1 = 4; goto +1; r1 = 50; " FILLER
	"call twice; r7 += r0; r0 = *(u8 *)(r7 + 0); r0 = 0; exit;")
/* A callback's r0 is checked against what bpf_loop allows (0 or 1): 0 on the first path
 * explored, 5 on the second, joined before the exit. */
SUBPROGRAM(returns_after_join, "r6 = r1; r7 = 0; r7 = 1; r7 = 2; r7 = 3; r7 = 4; if r6 > 10 goto +2; r0 = 0; goto +1; r0 = 5; "
	FILLER "exit;")
PROGRAM(callback_return_after_join, "r1 = 3; r2 = returns_after_join ll; r3 = 0; r4 = 0; call 181; r0 = 0; exit;")
/* Numbers nothing depends on (a sum only stored in a map value and returned) do not stop the
 * pruning: 1024 paths through ten independent tests join after each test. */
#define BIT(n) "r8 = r6; r8 &= " #n "; if r8 == 0 goto +1; r7 += " #n "; "
PROGRAM(imprecise_counters, VALUE "r7 = 0; " BIT(1) BIT(2) BIT(4) BIT(8) BIT(16) BIT(32) BIT(64) BIT(128) BIT(256) BIT(512)
	"*(u64 *)(r0 + 0) = r7; r0 = r7; exit;")
