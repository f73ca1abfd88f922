/* A local struct that may sit in a red-black tree and in a list at once must count its
 * references (bpf_refcount): without one the kernel refuses the program's BTF, and so every
 * bpf_obj_new (EINVAL); with one it loads. Written for swift-tcx; recorded in two_graph_nodes.tcx. */
#include "objects.h"

struct bpf_rb_node { __u64 opaque[4]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 opaque[3]; } __attribute__((aligned(8)));

struct in_both {
	__u64 key;
	struct bpf_rb_node in_tree;
	struct bpf_list_node in_list;
};

SEC("tc")
int allocates_one(struct __sk_buff *skb)
{
	struct in_both *n = new_object(struct in_both);

	if (!n)
		return 0;
	drop_object(n);
	return 1;
}

char _license[] SEC("license") = "GPL";
