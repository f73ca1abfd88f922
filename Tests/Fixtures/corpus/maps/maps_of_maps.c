/* Maps of maps filled statically: an array of maps holding two u64 arrays in slots 0 and 2
 * (slot 1 left empty), and a hash of maps holding a third under key 7... as libbpf fills it,
 * the key is the slot's number. Requests: op 0 reads element VALUE of the inner map in slot
 * KEY of the array of maps, op 1 writes FLAGS there, op 2 and 3 do the same through the hash
 * of maps. The answer is 0 and the value read (or written), or -1 when the slot is empty and
 * -2 when the element is out of range. */
#include "maps.h"

struct inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_def inner_a SEC(".maps"), inner_b SEC(".maps"), inner_c SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner_def);
} by_index SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_def);
} by_name SEC(".maps") = {
	.values = { [5] = &inner_c },
};

SEC("tc")
int maps_of_maps_op(struct __sk_buff *skb)
{
	struct request req;
	if (read_request(skb, &req))
		return 2;
	void *outer = req.op < 2 ? (void *)&by_index : (void *)&by_name;
	void *inner = map_lookup_elem(outer, &req.key);
	if (!inner) {
		answer(skb, -1, 0);
		return 0;
	}
	__u32 index = req.value;
	__u64 *element = map_lookup_elem(inner, &index);
	if (!element) {
		answer(skb, -2, 0);
		return 0;
	}
	if (req.op & 1)
		*element = req.flags;
	answer(skb, 0, *element);
	return 0;
}

LICENSE;
