import SwiftTCX
import TCXScript
import Testing

/// The embedded verifier against the kernel's verdicts on the rule corpus
/// (`Tests/Fixtures/verifier/rules.tcx`, each line one program, recorded on Linux 6.18): every
/// verdict agrees. A program the embedded backend loads and the kernel refuses fails this test
/// as `newly loaded`, one it refuses and the kernel loads as `refused`.
@Suite struct VerifierAgreementTests {
    static let rules = Fixtures.root + "/Tests/Fixtures/verifier/rules.tcx"

    /// Programs the kernel refuses and the embedded backend still loads: none.
    static let knownFalseAccepts: Set<String> = []

    @Test func embeddedVerdictsAgainstTheKernels() throws {
        let source = try #require(ScriptFile.read(Self.rules))
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: Self.rules, world: world)
        #expect(results.count >= 23 && results.allSatisfy { $0.line.expected != nil })
        var falseAccepts: Set<String> = [], falseRefusals: [String] = []
        for result in results where !result.matches {
            let program = result.line.text.split(separator: " ").dropFirst().first.map(String.init) ?? result.line.text
            if result.result == "ok" { falseAccepts.insert(program) } else { falseRefusals.append("\(program): \(result.result)") }
        }
        #expect(falseRefusals.isEmpty, "refused, the kernel loads them: \(falseRefusals)")
        #expect(falseAccepts == Self.knownFalseAccepts,
                "newly agreeing: \(Self.knownFalseAccepts.subtracting(falseAccepts).sorted()); newly loaded: \(falseAccepts.subtracting(Self.knownFalseAccepts).sorted())")
        print("verifier rule corpus: \(results.count - falseAccepts.count - falseRefusals.count) of \(results.count) verdicts agree with the kernel")
    }

    /// The other corpora, each line a verdict or a test-run recorded on the kernel, with how many
    /// lines each holds:
    /// - `socket_rules`: SOCKET_FILTER programs, test-run from the network header with the
    ///   Ethernet header zeroed in data_out;
    /// - `realistic`: programs written as real tc programs are, and their results;
    /// - `known_bits`: branches the kernel proves dead through known bits and 32-/64-bit bounds,
    ///   offsets they bound, operations it does not follow (division, modulo);
    /// - `dynptr_rules`: dynptr arguments of helpers must be initialised and not yet released;
    /// - `measured_rules`: rules measuring against the kernel's own verifier tests showed missing
    ///   (helper memory arguments, references across tail calls and packet loads, packet pointers
    ///   a global function invalidates, pointers compared with zero, one instruction through two
    ///   pointer types);
    /// - `extern_btf`: an object with a kfunc extern loads and runs as it does without one;
    /// - `xdp_helpers`: XDP programs get XDP's helpers (load verdicts only);
    /// - `pkt_end_marks`: a packet pointer found past the end decides its next comparison with it;
    /// - `xdp_kfuncs`: XDP programs are refused the kfuncs the kernel refuses to XDP (load verdicts only);
    /// - `helper_arity`: a helper call reads every argument register its prototype declares, no more;
    /// - `map_helpers`: which helpers take which maps, both ways, and what a device or socket map
    ///   lookup gives;
    /// - `callback_rules`: callbacks of bpf_loop and bpf_for_each_map_elem followed on the caller's
    ///   path (nested loops counted exactly, the loop run no time, the callback's registers,
    ///   return value and references), and what they count when run;
    /// - `callback_indexes`: a bpf_loop callback's index and counters kept through its context used
    ///   as array indexes (unchecked, checked, masked, bounded) and what they store when run;
    /// - `budget_loops`: nested may_goto loops from unknown counters converge (load verdicts only);
    /// - `readonly_memory`: read-only memory (an iterator's value, a dynptr's slice) refused where
    ///   a helper or kfunc writes it, allowed where it reads it, and what the readers do when run;
    /// - `frame_rules`: a function's own stack address left in its caller's frame, a callback's r0
    ///   and context, callbacks nested eight and nine frames deep;
    /// - `helper_types`: each argument holds a type its prototype accepts (map, context, memory, socket, …).
    /// - `btf_returns`: the bpf_skc_to_* casts give BTF pointers, NULL until compared, read through
    ///   their struct, never written, holding the cast socket's reference; bpf_get_current_task_btf
    ///   and bpf_task_pt_regs give the task and its registers, never NULL, read the same way.
    /// - `precision_rules`: a number a later check depends on (an offset, a bound, an array key, a
    ///   helper's size, a comparison that goes one way, a callback's return value) keeps apart
    ///   paths that join, also through the stack, copies and static functions; one nothing
    ///   depends on does not.
    /// - `stack_kinds`: a stack byte known to be zero and one holding an unknown number differ for
    ///   pruning even where nothing depends on the number (10 steps: the kernel's 10,235
    ///   instructions); an unknown byte covers a zero one, a spilled number any other. (Its 21-step
    ///   forms, past the kernel's million, are in `stack_limit.tcx`: not compared.)
    /// - `zero_under_spill`: a zero spilled into a slot's low bytes leaves a byte stored as zero
    ///   above it zero; an unknown byte stays unknown.
    /// - `socket_field_math`: a number read from the skb's socket is a number: added to the context
    ///   pointer it is out of bounds or makes a context access the kernel refuses.
    /// - `async_root_stack`: a timer callback's chain of calls shares 512 bytes from its own entry.
    /// - `dynptr_refs`: a ring buffer record's dynptr and its clones hold a reference (released once,
    ///   never written over, no other dynptr made there); dynptrs at constant offsets only;
    ///   bpf_dynptr_slice's size bounded, then constant; bpf_dynptr_data's memory NULL until checked,
    ///   ended with its record; a live dynptr's bytes never read as memory; bpf_ringbuf_submit takes
    ///   only bpf_ringbuf_reserve's memory; bpf_dynptr_from_mem over a map value or plain memory only.
    /// - `stack_arguments`: bytes written beside the memory a helper reads are dead before its call.
    /// - `dynptr_slices`: bpf_dynptr_data's memory ends when its dynptr is stored over (also from a
    ///   callback) or made again; bpf_dynptr_slice's of a packet's dynptr (and its clone's) when the
    ///   packet may move (a pull, bpf_dynptr_write to it); neither otherwise.
    /// - `xdp_context`: XDP programs through the path analysis: packet and metadata reads proven in
    ///   range, xdp_md read-only and read 32 bits at a time, xdp_adjust_head forgets packet pointers,
    ///   egress_ifindex for xdp/devmap programs only.
    /// - `acquire_release`: load-acquire refused on the context and the packet, store-release spills a
    ///   pointer whole only; may_goto +0 accepted; a register compared with itself followed both ways
    ///   (bounds that contradict themselves reset to its known bits).
    /// - `static_packet_changers`: the return from a static function that may move the packet (a
    ///   tail call in it) ends the caller's packet pointers; a tail call in the main program does not;
    ///   XDP's bpf_xdp_pull_data ends XDP's packet pointers and, declared weak, is refused to tc.
    /// - `iterator_arguments`: an iterator kfunc's first argument is a stack slot; NULL is refused as
    ///   a trusted argument, a map value, the context or a number as not on the stack.
    /// - `iterator_order`: at an iterator's next call the drained way (the loop's exit) is followed
    ///   before the body, so a program wrong in both is refused for what follows its loop.
    /// - `callback_tail_calls`: a callback's own tail call (EFAULT) and one reached through its
    ///   callees (EINVAL "cannot tail call within callback"); a tail call beside a callback loads.
    /// - `timer_inner_maps`: bpf_timer_init's and bpf_wq_init's map is the one the value came
    ///   from, each lookup of a map of maps giving an inner map of its own (map_uid, EINVAL).
    /// - `kptr_store`: an untrusted kptr field of a kernel struct loads as that struct (read past its
    ///   end refused); stores take NULL or the struct's pointer with no variable offset; its bytes
    ///   never go to a global function; bpf_kptr_xchg takes its field at a constant offset and only
    ///   an object the program holds a reference to.
    /// - `spill_ids`: a whole spill stays tied to its register, a narrowing one does not; a narrower
    ///   fill gives the low bytes; bytes inside a spilled zero are zero, inside another constant not;
    ///   a store at a variable offset changes only the slots it may reach.
    /// - `subprog_exits`: a static function's tail call may return to its caller at once; a global
    ///   function no path calls is never verified.
    /// - `fastcall_stack`: spills and fills around bpf_get_smp_processor_id cost no stack in a call
    ///   chain, unless another instruction reads their slots; around another helper they do.
    /// - `packet_loads`: LD_ABS/LD_IND reached in an XDP program are refused; in tc, or on a path an
    ///   XDP program never takes, they load.
    /// - `context_parameters`: a global function's pointer to a context struct is the context only
    ///   for the program type that owns the struct; another type's is memory of its size.
    /// - `packet_handback`: a static function's fresh packet pointers, taken after a helper moved the
    ///   packet, outlive its return; a tail call that succeeds ends every frame's.
    /// - `xdp_dynptr`: XDP's packet dynptr is made from the context only, sliced and read; a slice
    ///   ends when bpf_xdp_adjust_head may move the packet; tc may not call it.
    /// - `argument_order`: a call's arguments checked in order, a helper filling bytes of a dynptr
    ///   refused, bpf_dynptr_slice_rdwr's size checked before its EPERM.
    /// - `global_dynptr`: global functions taking `struct bpf_dynptr *` get a dynptr (read, sliced,
    ///   sized, handed on), and each caller must pass one it made on its stack.
    /// - `percpu_lookup`: bpf_map_lookup_percpu_elem gives one CPU's value or NULL, bounded by the
    ///   value's size.
    /// - `nested_iterator_offsets`: an offset one inner iterator loop changes, added to a pointer in
    ///   another, is widened at the outer loop's next call before any path added it (the
    ///   addition refused, EINVAL, even where every offset is safe); added first, it is precise
    ///   there and followed exactly; a number that decides something only through a converged
    ///   way keeps the loop's other ways in from being pruned.
    @Test(arguments: [("socket_rules", 15), ("realistic", 15), ("known_bits", 23), ("dynptr_rules", 9),
                      ("measured_rules", 50), ("extern_btf", 12), ("xdp_helpers", 5), ("pkt_end_marks", 10),
                      ("xdp_kfuncs", 5), ("helper_arity", 9),
                      ("map_helpers", 29),
                      ("callback_rules", 17),
                      ("callback_indexes", 13),
                      ("budget_loops", 5), ("readonly_memory", 9),
                      ("frame_rules", 8),
                      ("helper_types", 40),
                      ("btf_returns", 41),
                      ("precision_rules", 13),
                      ("stack_kinds", 3),
                      ("zero_under_spill", 4),
                      ("socket_field_math", 4),
                      ("async_root_stack", 2),
                      ("dynptr_refs", 28),
                      ("stack_arguments", 2),
                      ("dynptr_slices", 17),
                      ("xdp_context", 12),
                      ("acquire_release", 15),
                      ("static_packet_changers", 9),
                      ("iterator_arguments", 7),
                      ("kptr_store", 11), ("spill_ids", 10), ("subprog_exits", 4), ("fastcall_stack", 3),
                      ("packet_loads", 3), ("context_parameters", 7), ("packet_handback", 7),
                      ("xdp_dynptr", 5),
                      ("argument_order", 11),
                      ("global_dynptr", 6),
                      ("percpu_lookup", 6),
                      ("iterator_order", 3), ("callback_tail_calls", 6),
                      ("timer_inner_maps", 7), ("nested_iterator_offsets", 6),
                      ("ringbuf_drain", 6), ("callback_arguments", 14), ("endless_loops", 3), ("dynptr_places", 9),
                      ("comparison_facts", 4), ("map_value_locks", 2)])
    func corpusAsTheKernelLoadsAndRunsIt(_ name: String, lines: Int) throws {
        let path = Fixtures.root + "/Tests/Fixtures/verifier/\(name).tcx"
        let source = try #require(ScriptFile.read(path))
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: path, world: world)
        #expect(results.count == lines && results.allSatisfy { $0.line.expected != nil })
        for result in results where !result.matches {
            Issue.record("\(result.line.text): \(result.result)")
        }
    }
}
