import BPFCore

/// A program the verifier accepted, with what it learned along the way.
struct VerifiedProgram {
    /// The decoded operation of every slot; nil for the second slot of `lddw`.
    var operations: [Operation?]
    /// The value each `lddw` loads after resolving map and function references, by slot.
    var immediates: [Int: UInt64] = [:]
    /// First instruction of every function, ascending; the entry function is at 0.
    var functionStarts: [Int] = [0]
    /// Memory the resolved map values open up.
    var regions: [MemoryRegion] = []
    /// What each map-naming `lddw` names, by slot, when the resolver says (for the path analysis).
    var mapShapes: [Int: MapShape] = [:]
    /// The maps the JIT may look keys up in without the helper, one per handle.
    var directLookups: [DirectMapLookup] = []
    /// What each map-value `lddw` points into, by slot.
    var valueReferences: [Int: ValueReference] = [:]
    /// Loads through BTF pointers (`BTFPointers.swift`): run as probe loads, a fault reading 0.
    var probeLoads: Set<Int> = []
    /// The bpf_loop calls the kernel would inline (`LoopInlining`).
    var inlinedLoopCalls: Set<Int> = []
    /// The exception callback's first slot (`bpf_throw` ends the program through it), if any.
    var exceptionCallback: Int?
    /// What the path analysis did, when it ran.
    var pathStatistics: PathStatistics?

    /// A pointer into a map value that `lddw` loads (global data).
    struct ValueReference {
        var size: Int
        var offset: Int
        var writable: Bool
        /// Set when the value's bytes are fixed: the key of `fixedValues`.
        var fixed: UInt64? = nil
        /// Global data holding a `bpf_spin_lock` and graph roots (GlobalDataFields): where they
        /// are, and the value's identity, so a lock is known to guard only its own section.
        var lockOffset: Int? = nil
        var graphRoots: [GraphRoot] = []
        /// Kptr globals (`SEC(".bss.A") struct T __kptr *p;`), which only bpf_kptr_xchg changes.
        var kptrFields: [KptrField] = []
        var mapName = ""
        var identity = 0
    }
    /// The bytes of fixed values (frozen read-only maps), by region base, copied once.
    var fixedValues: [UInt64: [UInt8]] = [:]

    var count: Int { operations.count }

    /// The index into `functionStarts` of the function holding slot `index`.
    func function(containing index: Int) -> Int {
        var low = 0, high = functionStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if functionStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// One past the last slot of function `f`.
    func end(ofFunction f: Int) -> Int {
        f + 1 < functionStarts.count ? functionStarts[f + 1] : count
    }

    /// Where control may go after slot `index` within its function (calls return to the next slot).
    func successors(of index: Int) -> [Int] {
        guard let op = operations[index] else { return [] }
        switch op {
        case .exit: return []
        case let .goto(offset, _): return [index + 1 + Int(offset)]
        case let .jump(_, _, _, _, offset), let .mayGoto(offset): return [index + 1, index + 1 + Int(offset)]
        case .loadImm64: return [index + 2]
        default: return [index + 1]
        }
    }
}
