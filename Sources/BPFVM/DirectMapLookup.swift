/// How the JIT may do `bpf_map_lookup_elem` on one map without building a `HelperCall`, as the
/// kernel inlines array lookups (`map_gen_lookup`) and calls straight into a hash map: given by
/// the resolver with the map's reference, used only when the program's lookup helper is the one
/// the resolver's runtime registered (`HelperTable.markDirectMapLookup`).
///
/// Either way the value's bytes — `valueSize` from the address returned, writable as `writable`
/// says — are granted as the helper grants them: checked inline until the next helper call,
/// then handed to the run's memory provider (`MemoryRegionProvider.grant`).
public struct DirectMapLookup: Sendable {
    public enum Kind: Sendable {
        /// An array without per-CPU copies: element `i` (a 4-byte key) at `base + i * stride`
        /// while `i < maxEntries`; nothing to call.
        case array(base: UInt64, stride: Int, maxEntries: UInt32)
        /// Any other map: `finder.find(key, userData:)`, called without the helper's bookkeeping.
        case call
    }

    /// What the program's `lddw` loads for the map: what r1 holds at the call.
    public var handle: UInt64 = 0
    public let keySize: Int
    public let valueSize: Int
    public let writable: Bool
    public let kind: Kind
    /// Finds a key's value for `.call` and keeps the map alive as long as the program (for
    /// `.array` too: `base` points into it).
    public let finder: DirectMapFinder

    public init(keySize: Int, valueSize: Int, writable: Bool, kind: Kind, finder: DirectMapFinder) {
        self.keySize = keySize
        self.valueSize = valueSize
        self.writable = writable
        self.kind = kind
        self.finder = finder
    }

    /// Region sizes and strides are emitted as 32-bit immediates; anything larger is declined.
    var fitsImmediates: Bool {
        guard keySize > 0, keySize < Int(Int32.max), valueSize > 0, valueSize < Int(Int32.max) else { return false }
        if case let .array(_, stride, _) = kind { return stride > 0 && stride < Int(Int32.max) && keySize == 4 }
        return true
    }
}

/// A map's lookup as a program's helper does it, minus the call's bookkeeping. A class, not a
/// protocol: the machine code names it by address and the thunk calls it borrowed, through the
/// class's table, with no existential to open.
open class DirectMapFinder: @unchecked Sendable {
    public init() {}

    /// The value of the `keySize` bytes at `key` (readable: the JIT checked them), or nil;
    /// `userData` is the run's `RunEnvironment.userData` (where a runtime finds the CPU).
    open func find(_ key: UnsafeRawPointer, userData: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? { nil }
}
