import BPFCore

/// The spills and fills a compiler puts around a bpf_fastcall call, and the stack they do not
/// cost, as Linux 6.18 finds them (mark_fastcall_pattern_for_call) and removes them
/// (remove_fastcall_spills_fills) before it sums the frames of a call chain
/// (verifier_bpf_fastcall's cumulative_stack_depth; Tests/Fixtures/verifier/fastcall_stack.c).
///
/// A pattern is `*(u64 *)(r10 + off) = rN` right before the call and `rN = *(u64 *)(r10 + off)`
/// right after, pair by pair outwards, for registers the call leaves alone, the first pair at
/// the lowest offset any 8-byte spill of the function uses and each next one 8 bytes above.
/// When every pattern of a function sits around a call the kernel inlines, and no other
/// instruction reaches below the patterns' area, the function's stack ends above that area.
struct FastcallStack {
    /// The instructions of every pattern (their accesses do not break the contract).
    private(set) var patternInstructions: Set<Int> = []
    /// By function (first slot): the offset above the patterns' area (the kernel's
    /// fastcall_stack_off), when the kernel removes them all.
    private var removable: [Int: Int] = [:]

    /// The caller-saved registers (r0-r5).
    private static let callerSaved: UInt16 = 0b11_1111

    /// The registers a bpf_fastcall call clobbers (r0 and its arguments), and whether the kernel
    /// inlines it; nil for every other call. Linux 6.18 on x86-64: bpf_get_smp_processor_id,
    /// bpf_cast_to_kern_ctx and bpf_rdonly_cast.
    private static func fastcall(_ op: Operation) -> (clobbers: UInt16, inlined: Bool)? {
        guard case .call(.helper(let id)) = op else { return nil }
        switch id {
        case 8: return (0b1, true)
        case KfuncTable.helperID(.castToKernelContext): return (0b11, true)
        case KfuncTable.helperID(.rdonlyCast): return (0b111, true)
        default: return nil
        }
    }

    init(_ program: VerifiedProgram) {
        for f in program.functionStarts.indices {
            let start = program.functionStarts[f], end = program.end(ofFunction: f)
            var lowest = 0
            for i in start ..< end {
                if case let .store(.double, 10, .register, offset)? = program.operations[i] { lowest = min(lowest, Int(offset)) }
            }
            var stackOff: Int?, modified = false, keep = false
            for i in start ..< end {
                guard let op = program.operations[i], let call = Self.fastcall(op) else { continue }
                var expected = ~call.clobbers & Self.callerSaved
                var pairs = 0, off = lowest
                // The kernel looks outwards from the call within the whole program.
                while pairs < 6, i - pairs - 1 >= 0, i + pairs + 1 < program.count {
                    guard case let .store(.double, 10, .register(spilled), spillOffset)? = program.operations[i - pairs - 1],
                          case let .load(.double, false, filled, 10, fillOffset)? = program.operations[i + pairs + 1],
                          spilled == filled, spilled < 16, expected & (1 << UInt16(spilled)) != 0,
                          Int(spillOffset) == off, Int(fillOffset) == off else { break }
                    expected &= ~(1 << UInt16(spilled))
                    patternInstructions.insert(i - pairs - 1)
                    patternInstructions.insert(i + pairs + 1)
                    pairs += 1
                    off += 8
                }
                guard pairs > 0 else { continue }
                if call.inlined { modified = true } else { keep = true }
                stackOff = min(stackOff ?? 0, off)
            }
            if modified, !keep, let stackOff { removable[start] = stackOff }
        }
    }

    /// The function's stack depth once its patterns are removed: the bytes above their area,
    /// when no other access of it (`deepestOther`, bytes below the frame's top) reaches into
    /// that area (the kernel's check_fastcall_stack_contract); nil when nothing is removed.
    func depth(ofFunction start: Int, deepestOther: Int) -> Int? {
        guard let stackOff = removable[start], deepestOther <= -stackOff else { return nil }
        return -stackOff
    }
}
