/* One relocation of each kind against target_units.btf, for the unit tests (not a corpus
 * program: its types exist in no kernel). */
#include "core.h"

struct amb { int x; } __attribute__((preserve_access_index));
struct same { int x; } __attribute__((preserve_access_index));
struct bits {
	unsigned int a:3;
	unsigned int b:7;
	int c:5;
	unsigned long long d:40;
} __attribute__((preserve_access_index));
struct wide { unsigned int v; } __attribute__((preserve_access_index));
struct neg { int v; } __attribute__((preserve_access_index));
enum colour { RED = 1, GREEN = 2, BLUE = 3 };
enum big { BIG_ONE = 1 };
struct nest {
	int inner;
	short deep;
	int arr[4];
	char tail[];
} __attribute__((preserve_access_index));
struct holder { struct nest *ptr; struct nest embedded; } __attribute__((preserve_access_index));
struct far { int beyond; } __attribute__((preserve_access_index));
struct pair { int a; unsigned short b; struct pair *next; } __attribute__((preserve_access_index));
struct shape { int round; } __attribute__((preserve_access_index));

SEC("tc")
int units(struct bits *b)
{
	struct amb *amb = (void *)b;
	struct same *same = (void *)b;
	struct wide *wide = (void *)b;
	struct neg *neg = (void *)b;
	struct holder *holder = (void *)b;
	struct far *far = (void *)b;
	unsigned long long sum = 0;

	sum += amb->x;
	sum += same->x;
	sum += field_offset(b->a) + field_size(b->a) + field_signed(b->c);
	sum += __builtin_preserve_field_info(b->b, FIELD_LSHIFT) + __builtin_preserve_field_info(b->b, FIELD_RSHIFT);
	sum += __builtin_preserve_field_info(b->d, FIELD_LSHIFT) + __builtin_preserve_field_info(b->d, FIELD_RSHIFT);
	sum += field_offset(b->d) + field_size(b->d);
	sum += wide->v;
	if (field_exists(neg->v))
		sum += neg->v;
	sum += enum_value(enum colour, GREEN);
	if (enum_value_exists(enum colour, BLUE))
		sum += enum_value(enum colour, BLUE);
	sum += enum_value(enum big, BIG_ONE);
	sum += holder->embedded.inner + holder->embedded.deep + holder->embedded.arr[2];
	sum += field_offset(holder->embedded.tail[3]);
	sum += type_size(struct nest) + type_exists(struct holder) + type_matches(struct holder);
	sum += local_type_id(struct nest) + target_type_id(struct nest);
	sum += type_matches(struct pair) + type_exists(struct shape);
	sum += far->beyond;
	return sum;
}

LICENSE("GPL");
