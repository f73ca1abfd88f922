#!/bin/sh
# Builds the verifier rule corpus. The .o is committed so that tests need no compiler.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
ARCH_INCLUDE=/usr/include/$(uname -m)-linux-gnu
for source in rules socket_rules realistic known_bits dynptr_rules; do
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c $source.c -o $source.o
done
# Sign-extending loads need cpu v4.
"$CLANG" -O2 -g -target bpf -mcpu=v4 -Wall -I"$ARCH_INCLUDE" -c measured_rules.c -o measured_rules.o
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c measured_socket.c -o measured_socket.o
# Function records (.BTF.ext) removed; the maps keep their BTF.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c measured_no_btf.c -o measured_no_btf.o
"${OBJCOPY:-llvm-objcopy}" --remove-section .BTF.ext measured_no_btf.o
echo "built rules.o socket_rules.o realistic.o known_bits.o dynptr_rules.o measured_rules.o measured_socket.o measured_no_btf.o"
# extern_btf.c again without its kfunc extern: the same programs must behave the same.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c extern_btf.c -o extern_btf_plain.o
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -DWITH_KFUNC_EXTERN -c extern_btf.c -o extern_btf.o
echo "built extern_btf.o extern_btf_plain.o"
# XDP programs on XDP's own helpers.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c xdp_helpers.c -o xdp_helpers.o
echo "built xdp_helpers.o"
# XDP programs calling kfuncs tc has and XDP does not (and some every type has).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c xdp_kfuncs.c -o xdp_kfuncs.o
echo "built xdp_kfuncs.o"
# A packet pointer compared with the end twice.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c pkt_end_marks.c -o pkt_end_marks.o
echo "built pkt_end_marks.o"
# Helper calls with and without their argument registers (assembly).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c helper_arity.c -o helper_arity.o
echo "built helper_arity.o"
# Which helpers take which maps (device, CPU and socket maps beside the others).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c map_helpers.c -o map_helpers.o
echo "built map_helpers.o"
# Callbacks run by bpf_loop and bpf_for_each_map_elem.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c callback_rules.c -o callback_rules.o
echo "built callback_rules.o"
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c callback_indexes.c -o callback_indexes.o
echo "built callback_indexes.o"
# Nested loops bounded by may_goto.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c budget_loops.c -o budget_loops.o
echo "built budget_loops.o"
# Read-only memory (an iterator's value, a dynptr's slice) given to helpers and kfuncs.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c readonly_memory.c -o readonly_memory.o
echo "built readonly_memory.o"
# Frames above their callers': static functions and callbacks.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c frame_rules.c -o frame_rules.o
echo "built frame_rules.o"
# Helper arguments of each kind the prototypes declare, of the right type and of a wrong one.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c helper_types.c -o helper_types.o
echo "built helper_types.o"
# Helpers returning BTF pointers (the bpf_skc_to_* casts): NULL checks, struct reads, no writes.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c btf_returns.c -o btf_returns.o
echo "built btf_returns.o"
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c precision_rules.c -o precision_rules.o
echo "built precision_rules.o"
# Stack bytes known to be zero against unknown bytes, and spilled numbers, where pruning compares them.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c stack_kinds.c -o stack_kinds.o
echo "built stack_kinds.o"
# bpf_user_ringbuf_drain's callback: its context and return value (load verdicts only).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c ringbuf_drain.c -o ringbuf_drain.o
echo "built ringbuf_drain.o"
# A zero spilled into a slot's low bytes leaves a zero byte above it zero (STACK_ZERO).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c zero_under_spill.c -o zero_under_spill.o
echo "built zero_under_spill.o"
# A number read from the skb's socket added to the context pointer.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c socket_field_math.c -o socket_field_math.o
echo "built socket_field_math.o"
# A timer callback's chain of calls against 512 bytes of stack from the callback's entry.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c async_root_stack.c -o async_root_stack.o
echo "built async_root_stack.o"
# Dynptrs holding a reference (a ring buffer record's, its clones), dynptr offsets, bpf_dynptr_slice's size.
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c dynptr_refs.c -o dynptr_refs.o
echo "built dynptr_refs.o"
# Which slots a helper's memory argument keeps live for pruning (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c stack_arguments.c -o stack_arguments.o
echo "built stack_arguments.o"
# When a dynptr's slice ends: the packet moving, its dynptr stored over or made again (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c dynptr_slices.c -o dynptr_slices.o
echo "built dynptr_slices.o"
# xdp_context.c: XDP packet, metadata and xdp_md rules through the path analysis (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c xdp_context.c -o xdp_context.o
echo "built xdp_context.o"
# acquire_release.c: load-acquire/store-release memory rules, may_goto +0, a register compared with itself (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c acquire_release.c -o acquire_release.o
echo "built acquire_release.o"
# static_packet_changers.c: packet pointers after a static function that may move the packet (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c static_packet_changers.c -o static_packet_changers.o
echo "built static_packet_changers.o"
# iterator_arguments.c: an iterator kfunc's first argument on the stack only (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c iterator_arguments.c -o iterator_arguments.o
echo "built iterator_arguments.o"
# kptr_store.c, spill_ids.c, subprog_exits.c, fastcall_stack.c: the last disagreements on the
# kernel's selftests (issue 12): kptr stores and loads, spill ids, tail calls as exits, fastcall stack.
for source in kptr_store spill_ids subprog_exits fastcall_stack; do
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c $source.c -o $source.o
done
echo "built kptr_store.o spill_ids.o subprog_exits.o fastcall_stack.o"
# packet_loads.c: LD_ABS/LD_IND refused in XDP programs when reached (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c packet_loads.c -o packet_loads.o
echo "built packet_loads.o"
# context_parameters.c: a global function's context struct parameter per program type (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c context_parameters.c -o context_parameters.o
echo "built context_parameters.o"
# packet_handback.c: packet pointers handed back by a static function after it may move the packet (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c packet_handback.c -o packet_handback.o
echo "built packet_handback.o"
# xdp_dynptr.c: XDP's packet dynptr, loaded for XDP and refused to tc (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c xdp_dynptr.c -o xdp_dynptr.o
echo "built xdp_dynptr.o"
# argument_order.c: the order of a call's argument checks, helper writes over dynptrs, bpf_dynptr_slice_rdwr's size (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c argument_order.c -o argument_order.o
echo "built argument_order.o"
# global_dynptr.c: global functions taking struct bpf_dynptr * (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c global_dynptr.c -o global_dynptr.o
echo "built global_dynptr.o"
# percpu_lookup.c: bpf_map_lookup_percpu_elem's result, a per-CPU value that may be NULL (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c percpu_lookup.c -o percpu_lookup.o
echo "built percpu_lookup.o"
# iterator_order.c: an iterator loop's drained way explored before its body, as Linux 6.18 (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c iterator_order.c -o iterator_order.o
echo "built iterator_order.o"
# callback_tail_calls.c: tail calls inside callbacks refused as Linux 6.18 refuses them (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c callback_tail_calls.c -o callback_tail_calls.o
echo "built callback_tail_calls.o"
# timer_inner_maps.c: a timer's or workqueue's map told apart by the lookup that gave it (map_uid, issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c timer_inner_maps.c -o timer_inner_maps.o
echo "built timer_inner_maps.o"
# nested_iterator_offsets.c: an offset from one inner iterator loop added to a pointer in another (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c nested_iterator_offsets.c -o nested_iterator_offsets.o
echo "built nested_iterator_offsets.o"
# callback_counts.c: bpf_loop and user_ringbuf_drain callbacks keeping counts in their caller's stack (processed counts, issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c callback_counts.c -o callback_counts.o
echo "built callback_counts.o"
# callback_arguments.c: what drain and for_each_map_elem hand their callbacks (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c callback_arguments.c -o callback_arguments.o
echo "built callback_arguments.o"
# endless_loops.c: loops no edge leaves, judged on the paths explored (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c endless_loops.c -o endless_loops.o
echo "built endless_loops.o"
# dynptr_places.c: where a dynptr may lie, what a slice's buffer may cover (issue 12).
"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c dynptr_places.c -o dynptr_places.o
echo "built dynptr_places.o"
# comparison_facts.c, map_value_locks.c: packet pointers sharing an id, NULL checks by register, a
# map value's spin lock at its place (issue 12).
for source in comparison_facts map_value_locks; do
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -Wall -I"$ARCH_INCLUDE" -c $source.c -o $source.o
done
echo "built comparison_facts.o map_value_locks.o"
