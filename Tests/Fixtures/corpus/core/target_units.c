/* The target BTF of the unit tests (built into target_units.btf): types chosen to exercise
 * each rule of candidate search and matching. */
struct amb___a { int x; int y; };
struct amb___b { int y; int x; };
struct same___a { int x; };
struct same___b { int x; };
struct bits {
	unsigned int pad;
	unsigned int a:3;
	unsigned int b:7;
	int c:5;
	unsigned long long d:40;
};
struct wide { unsigned long long v; };
struct neg { long long v; };
enum colour { RED = 5, GREEN = 9 };
enum big { BIG_ONE = 0x1234567890ULL };
struct nest {
	int pad;
	struct {
		int inner;
		union {
			short deep;
		};
	};
	int arr[4];
	char tail[];
};
typedef struct nest nest_t;
struct holder { nest_t *ptr; struct nest embedded; };
struct far { char pad[40000]; int beyond; };

struct pair { int a; unsigned short b; struct pair *next; };
union shape { int round; };

struct units_target {
	struct amb___a a; struct amb___b b; struct same___a s1; struct same___b s2;
	struct bits bits; struct wide wide; struct neg neg; enum colour colour; enum big big;
	struct pair pair; union shape shape;
	struct far far; struct holder holder;
} units_target;
