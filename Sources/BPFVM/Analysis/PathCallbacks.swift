import BPFCore

/// Callbacks as the helpers that take them use them: what each passes in r1-r5, and the
/// values it allows back (the kernel's callback_ret_range: 0 or 1 to go on or stop; a timer's
/// callback returns 0).
///
/// A callback a helper runs during the call (bpf_loop, for_each_map_elem, find_vma,
/// user_ringbuf_drain; see `runsDuringCall`) is followed as the kernel follows it: on the caller's path, in a frame
/// of its own above the caller's, its exit going back to the helper call, which may run it
/// again; the way past the call is the callback not run (again). A timer's callback runs later,
/// on its own, and is explored by itself.
enum PathCallbacks {
    struct Use {
        var entry: [AbstractValue]
        var returns: ClosedRange<Int64>
        /// A timer's callback runs later, on its own (the kernel's "async callback").
        var isAsync = false
        /// bpf_rbtree_add's `less` runs under the tree's lock: explored with the lock held.
        var underLock = false
    }

    /// Helpers that run a callback during the call (is_sync_callback_calling_function), whose
    /// callback is followed on the caller's path: for_each_map_elem, find_vma, bpf_loop and
    /// user_ringbuf_drain.
    static let runsDuringCall: Set<Int32> = [164, 180, 181, 209]

    /// The callback a helper call takes, and how: bpf_loop, for_each_map_elem, timer_set_callback,
    /// user_ringbuf_drain, find_vma.
    static func use(by helper: Int32, _ state: PathState,
                    types: @Sendable () -> (any KernelTypeCatalog)? = { nil }) -> (Int, Use)? {
        if helper == RbtreePrototypes.addHelper { return RbtreePrototypes.lessUse(state) }
        let argument: Int
        switch helper {
        case 181, 164, 170, 209: argument = 2
        case 180: argument = 3
        default: return nil
        }
        guard case .function(let start) = state.registers[argument].kind else { return nil }
        var entry = [AbstractValue](repeating: .unknown, count: 11)
        entry[0] = .notInit
        entry[10] = .pointer(.stack(frame: 0))
        // The caller's context argument, passed on unchanged, and the registers the helper
        // leaves unset (set_loop_callback_state and its siblings).
        switch helper {
        case 181:  // bpf_loop(n, callback, ctx, flags): callback(index, ctx)
            entry[1] = .scalar(.upTo(UInt64(UInt32.max)))
            entry[2] = state.registers[3]
            for r in 3 ... 5 { entry[r] = .notInit }
        case 164:  // for_each_map_elem(map, callback, ctx, flags): callback(map, key, value, ctx)
            // The map iterated, its key (read-only) and its value, never NULL
            // (set_map_elem_callback_state).
            if case .map(let shape) = state.registers[1].kind {
                entry[1] = state.registers[1]
                entry[2] = .pointer(.mapKey(size: shape.keySize))
                if shape.lookupGivesValue {
                    entry[3] = .pointer(.mapValue(size: shape.valueSize, access: shape.valueAccess, nullable: false))
                }
            }
            entry[4] = state.registers[3]
            entry[5] = .notInit
        case 209:  // user_ringbuf_drain(map, callback, ctx, flags): callback(dynptr, ctx)
            // The sample, as a dynptr the kernel owns (set_user_ringbuf_callback_state).
            entry[1] = .pointer(.constDynptr)
            entry[2] = state.registers[3]
            for r in 3 ... 5 { entry[r] = .notInit }
        case 180:  // find_vma(task, addr, callback, ctx, flags): callback(task, vma, ctx)
            // The caller's task, and the area as a read-only BTF pointer (set_find_vma_callback_state).
            entry[1] = state.registers[1]
            if let id = types()?.structureID(named: "vm_area_struct") {
                entry[2] = AbstractValue(kind: .btf(BTFPointer(typeID: id, name: "vm_area_struct")))
            }
            entry[3] = state.registers[4]
            for r in 4 ... 5 { entry[r] = .notInit }
        default:
            break
        }
        for r in 6 ... 9 { entry[r] = .notInit }
        return (start, Use(entry: entry, returns: helper == 170 ? 0 ... 0 : 0 ... 1, isAsync: helper == 170))
    }

    /// Whether the helper call at this state runs its callback on the caller's path (not a
    /// timer's, not a global function: those are verified on their own).
    static func runsInline(_ helper: Int32, _ state: PathState, globals: Set<Int>) -> Bool {
        guard runsDuringCall.contains(helper), let (start, _) = use(by: helper, state) else { return false }
        return !globals.contains(start)
    }

    /// Whether the callback runs once more from this call: bpf_loop's at most as many times as
    /// its count (r1) may be, as the kernel's callback_depth against r1's umax; the others until
    /// their states repeat.
    static func mayRunAgain(_ helper: Int32, _ state: PathState) -> Bool {
        guard helper == 181 else { return true }
        let count = state.registers[1]
        guard count.isScalar else { return true }
        return UInt64(state.callbackDepths[state.frame]) < count.range.umax
    }

    /// At the callback's exit: a number outside what the helper allows is refused (EINVAL).
    static func checkReturn(_ r0: AbstractValue, of use: Use, at index: Int) throws(VMError) {
        try checkReturn(r0, allowed: use.returns, isAsync: use.isAsync, at: index)
    }

    static func checkReturn(_ r0: AbstractValue, allowed: ClosedRange<Int64>, isAsync: Bool, at index: Int) throws(VMError) {
        guard r0.isScalar else { return }
        let range = r0.range
        if range.smin >= allowed.lowerBound, range.smax <= allowed.upperBound { return }
        throw VMError(instruction: index, "At \(isAsync ? "async " : "")callback return the register R0 has smin=\(range.smin) smax=\(range.smax) "
                      + "should have been in [\(allowed.lowerBound), \(allowed.upperBound)]")
    }
}
