/* A packet pointer compared with the packet's end a second time: on the way where the first
 * comparison found it past (or at) the end, the kernel knows how the second one goes and does
 * not follow the other way. Each program keeps r5 = 0 on the way the first comparison leaves
 * unproven and dereferences r5 only where the second comparison says the packet is long enough.
 * Written for swift-tcx; the kernel's verdicts and results are recorded in pkt_end_marks.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

/* data in r2, data_end in r3, r4 = data + 6, r5 = 0 */
#define PROLOGUE \
	"r2 = *(u32 *)(r1 + 76);" \
	"r3 = *(u32 *)(r1 + 80);" \
	"r4 = r2;" \
	"r4 += 6;" \
	"r5 = 0;"

/* p > end twice: the second is taken wherever the first was. */
SEC("tc") NAKED int twice_past_end(void)
{
	asm volatile (PROLOGUE
	"if r4 > r3 goto 1f;"
	"r5 = r2;"
	"1:"
	"if r4 > r3 goto 2f;"
	"r0 = *(u8 *)(r5 + 5);"
	"exit;"
	"2:"
	"r0 = 1;"
	"exit;" ::: "memory");
}

/* p >= end, then p < end: at the end is not below it. */
SEC("tc") NAKED int at_end_then_below(void)
{
	asm volatile (PROLOGUE
	"if r4 >= r3 goto 1f;"
	"r5 = r2;"
	"1:"
	"if r4 < r3 goto 2f;"
	"r0 = 1;"
	"exit;"
	"2:"
	"r0 = *(u8 *)(r5 + 6);"
	"exit;" ::: "memory");
}

/* The end on the left: end < p, twice. */
SEC("tc") NAKED int end_on_the_left(void)
{
	asm volatile (PROLOGUE
	"if r3 < r4 goto 1f;"
	"r5 = r2;"
	"1:"
	"if r3 < r4 goto 2f;"
	"r0 = *(u8 *)(r5 + 5);"
	"exit;"
	"2:"
	"r0 = 1;"
	"exit;" ::: "memory");
}

/* A copy taken after the first comparison carries what it learned. */
SEC("tc") NAKED int copy_after_the_mark(void)
{
	asm volatile (PROLOGUE
	"if r4 > r3 goto 1f;"
	"r5 = r2;"
	"1:"
	"r6 = r4;"
	"if r6 > r3 goto 2f;"
	"r0 = *(u8 *)(r5 + 5);"
	"exit;"
	"2:"
	"r0 = 1;"
	"exit;" ::: "memory");
}

/* A copy taken before it does not: the second comparison stays open, r5 may be 0. */
SEC("tc") NAKED int copy_before_the_mark(void)
{
	asm volatile (PROLOGUE
	"r6 = r4;"
	"if r4 > r3 goto 1f;"
	"r5 = r2;"
	"1:"
	"if r6 > r3 goto 2f;"
	"r0 = *(u8 *)(r5 + 5);"
	"exit;"
	"2:"
	"r0 = 1;"
	"exit;" ::: "memory");
}

/* At the end does not decide p > end: it may be equal. */
SEC("tc") NAKED int at_end_then_past(void)
{
	asm volatile (PROLOGUE
	"if r4 >= r3 goto 1f;"
	"r5 = r2;"
	"1:"
	"if r4 > r3 goto 2f;"
	"r0 = *(u8 *)(r5 + 5);"
	"exit;"
	"2:"
	"r0 = 1;"
	"exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
