/* Loops no edge leaves, as the kernel finds them on the paths it explores (issue 12): one whose
 * state repeats exactly is refused at once (EINVAL), one whose count keeps changing runs into the
 * million processed instructions (E2BIG), and one on a path no state takes is never judged.
 * Written for swift-tcx as instruction sequences; the kernel's verdicts are in endless_loops.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))
#define PROGRAM(name, body) \
	SEC("tc") NAKED void name(void) { asm volatile (body ::: "memory"); }

/* Nothing changes around the loop: the same state comes back. */
PROGRAM(same_state_forever, "r0 = 0; r1 = 5; if r1 > 3 goto +2; r0 = 1; exit; r2 = 1; goto -2;")
/* A count nobody reads grows by two each time round. */
PROGRAM(count_forever, "r0 = 0; r2 = 7; if r2 > 9 goto +2; r2 += 2; goto -2; exit;")
/* The loop lies behind a comparison that never holds. */
PROGRAM(dead_forever, "r0 = 0; r1 = 5; if r1 > 9 goto +1; exit; r2 += 1; goto -2;")

char LICENSE[] SEC("license") = "GPL";
