/// Callbacks as the helpers that take them use them: what each passes in r1-r5, and the
/// values it allows back (the kernel's callback_ret_range: 0 or 1 to go on or stop; a timer's
/// callback returns 0).
enum PathCallbacks {
    struct Use {
        var entry: [AbstractValue]
        var returns: ClosedRange<Int64>
        /// A timer's callback runs later, on its own (the kernel's "async callback").
        var isAsync = false
    }

    /// The callback a helper call takes, and how: bpf_loop, for_each_map_elem, timer_set_callback,
    /// user_ringbuf_drain, find_vma.
    static func use(by helper: Int32, _ state: PathState) -> (Int, Use)? {
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
        switch helper {
        case 181:
            entry[1] = .scalar(.upTo(UInt64(UInt32.max)))  // the iteration's index
        case 164:
            // (map, key, value, ctx): the value of the map iterated, never NULL.
            if case .map(let shape) = state.registers[1].kind, shape.lookupGivesValue {
                entry[3] = .pointer(.mapValue(size: shape.valueSize, access: shape.valueAccess, nullable: false))
            }
        default:
            break
        }
        for r in 6 ... 9 { entry[r] = .notInit }
        return (start, Use(entry: entry, returns: helper == 170 ? 0 ... 0 : 0 ... 1, isAsync: helper == 170))
    }

    /// At the callback's exit: a number outside what the helper allows is refused (EINVAL).
    static func checkReturn(_ r0: AbstractValue, of use: Use, at index: Int) throws(VMError) {
        guard r0.isScalar else { return }
        let range = r0.range, allowed = use.returns
        if range.smin >= allowed.lowerBound, range.smax <= allowed.upperBound { return }
        throw VMError(instruction: index, "At \(use.isAsync ? "async " : "")callback return the register R0 has smin=\(range.smin) smax=\(range.smax) "
                      + "should have been in [\(allowed.lowerBound), \(allowed.upperBound)]")
    }
}
