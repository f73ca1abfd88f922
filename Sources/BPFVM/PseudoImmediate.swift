import BPFCore

/// A 64-bit immediate load that names something other than a number (RFC 9669 section 5.4).
public enum PseudoImmediate: Equatable, Sendable {
    /// `src=1`: the map with this file descriptor.
    case mapFD(Int32)
    /// `src=2`: the address of a map value at `offset` in the map with this descriptor.
    case mapValue(fd: Int32, offset: UInt32)
    /// `src=3`: a kernel variable by BTF id.
    case variable(btfID: Int32)
    /// `src=5`: the map at this index of the loader's map array.
    case mapIndex(Int32)
    /// `src=6`: a map value in the map at this index.
    case mapIndexValue(index: Int32, offset: UInt32)
}

/// What a pseudo immediate resolves to: the 64-bit value the register receives and,
/// for map values, the memory the program may then access through it.
public struct ResolvedImmediate: Sendable {
    public var value: UInt64
    public var region: MemoryRegion?
    /// The map a map reference names, so the verifier can type lookups in it.
    public var shape: MapShape?
    /// The region's bytes can no longer change (a frozen map, read-only to programs): the
    /// verifier reads constants from them, as the kernel's bpf_map_direct_read.
    public var fixed = false
    /// How the JIT may look keys up in the map a map reference names without the helper.
    public var directLookup: DirectMapLookup?

    public init(value: UInt64, region: MemoryRegion? = nil, shape: MapShape? = nil, fixed: Bool = false) {
        self.value = value
        self.region = region
        self.shape = shape
        self.fixed = fixed
    }
}

/// Turns map and variable references into values at load time; maps plug in here.
public protocol PseudoImmediateResolver: Sendable {
    /// Nil refuses the load with the reason `unknownReason`.
    func resolve(_ immediate: PseudoImmediate) -> ResolvedImmediate?
}
