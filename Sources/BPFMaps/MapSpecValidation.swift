import BPFCore

/// The create-time checks of BPF_MAP_CREATE, in the kernel's order, for the types the engine implements.
extension MapSpec {
    static let accessFlags = MapFlags.rdonly | MapFlags.wronly | MapFlags.rdonlyProg | MapFlags.wronlyProg
    static let numaNode: UInt32 = 0x4
    static let zeroSeed: UInt32 = 0x40
    static let innerMapFlag: UInt32 = 0x1000

    /// Throws the error BPF_MAP_CREATE gives for this spec on a machine with `possibleCPUs` CPUs.
    public func validate(possibleCPUs: Int) throws(MapError) {
        guard possibleCPUs > 0 else { throw MapError(.EINVAL, "at least one possible CPU is needed") }
        if flags & MapFlags.rdonly != 0, flags & MapFlags.wronly != 0 {
            throw MapError(.EINVAL, "BPF_F_RDONLY and BPF_F_WRONLY together")
        }
        switch type {
        case .array, .percpuArray, .progArray: try validateArray()
        case .hash, .percpuHash, .lruHash, .lruPercpuHash: try validateHash()
        case .lpmTrie: try validateLPM()
        case .ringbuf, .userRingbuf: try validateRingbuf()
        case .queue, .stack: try validateQueueStack()
        case .bloomFilter: try validateBloomFilter()
        case .skStorage, .taskStorage, .cgrpStorage, .inodeStorage: try validateSKStorage()
        case .arrayOfMaps, .hashOfMaps: try validateMapOfMaps(possibleCPUs: possibleCPUs)
        case .perfEventArray: try validatePerfEventArray()
        case .stackTrace: try validateStackTrace()
        case .cgroupStorage, .percpuCgroupStorage: try validateLegacyCgroupStorage()
        case .cgroupArray: try validateCgroupArray()
        case .devmap, .devmapHash, .cpumap, .xskmap, .sockmap, .sockhash, .reuseportSockarray: try validateRedirectMap()
        case .arena:
            // Linux 6.18 on the machine this project is measured on refuses every ARENA map, whatever
            // its attributes (EPERM, the type's capability check): with no arena to record, the
            // engine gives that answer rather than a model it could not check.
            throw MapError(.EPERM, "arena maps are refused (the kernel this engine follows creates none)")
        default: throw MapError(.EINVAL, "unknown map type \(type.rawValue)")
        }
    }

    private var accessFlagsOK: Bool {
        flags & (MapFlags.rdonlyProg | MapFlags.wronlyProg) != (MapFlags.rdonlyProg | MapFlags.wronlyProg)
    }

    private func validateArray() throws(MapError) {
        let percpu = type == .percpuArray
        var allowed = Self.numaNode | Self.accessFlags | MapFlags.mmapable | Self.innerMapFlag
        if type == .progArray {
            // Program arrays hold program references, never values a program could write.
            guard valueSize == 4 else { throw MapError(.EINVAL, "prog_array value size must be 4, not \(valueSize)") }
            allowed = Self.numaNode | MapFlags.rdonly | MapFlags.wronly
        }
        guard maxEntries != 0 else { throw MapError(.EINVAL, "max_entries is 0") }
        guard keySize == 4 else { throw MapError(.EINVAL, "\(type) key size must be 4, not \(keySize)") }
        guard valueSize != 0 else { throw MapError(.EINVAL, "value size is 0") }
        guard flags & ~allowed == 0 else { throw unknownFlags(flags & ~allowed) }
        guard accessFlagsOK else { throw MapError(.EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together") }
        if percpu, flags & Self.numaNode != 0 { throw MapError(.EINVAL, "per-CPU maps take no NUMA node") }
        if type != .array, flags & (MapFlags.mmapable | Self.innerMapFlag) != 0 {
            throw MapError(.EINVAL, "only plain arrays may be BPF_F_MMAPABLE or BPF_F_INNER_MAP")
        }
        guard valueSize <= UInt32(Int32.max) else { throw MapError(.E2BIG, "value size \(valueSize) exceeds INT_MAX") }
        if percpu { try checkPercpuValue() }
    }

    private func validateHash() throws(MapError) {
        let lru = type == .lruHash || type == .lruPercpuHash
        let percpu = type == .percpuHash || type == .lruPercpuHash
        let allowed = MapFlags.noPrealloc | MapFlags.noCommonLRU | Self.numaNode | Self.accessFlags | Self.zeroSeed
        guard flags & ~allowed == 0 else { throw unknownFlags(flags & ~allowed) }
        guard accessFlagsOK else { throw MapError(.EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together") }
        let perCPULRU = flags & MapFlags.noCommonLRU != 0
        if !lru, perCPULRU { throw MapError(.EINVAL, "BPF_F_NO_COMMON_LRU on a map that is not LRU") }
        if lru, flags & MapFlags.noPrealloc != 0 {
            throw MapError(.ENOTSUPP, "LRU maps are always preallocated: BPF_F_NO_PREALLOC is not supported")
        }
        if flags & Self.numaNode != 0, percpu || perCPULRU { throw MapError(.EINVAL, "per-CPU maps take no NUMA node") }
        guard maxEntries != 0, keySize != 0, valueSize != 0 else {
            throw MapError(.EINVAL, "max_entries, key size and value size must all be non-zero")
        }
        guard UInt64(keySize) + UInt64(valueSize) < MapLimits.kmallocMax - MapLimits.hashElementHeader else {
            throw MapError(.E2BIG, "key and value (\(keySize) + \(valueSize) bytes) do not fit one element")
        }
        if percpu { try checkPercpuValue() }
        guard maxEntries <= MapLimits.hashMaxEntries else {
            throw MapError(.E2BIG, "max_entries \(maxEntries) needs more buckets than a hash map can have")
        }
    }

    private func validateLPM() throws(MapError) {
        let allowed = MapFlags.noPrealloc | Self.numaNode | Self.accessFlags
        let valueMax = MapLimits.kmallocMax - UInt64(MapLimits.lpmDataMax) - MapLimits.lpmNodeHeader
        guard maxEntries != 0 else { throw MapError(.EINVAL, "max_entries is 0") }
        guard flags & MapFlags.noPrealloc != 0 else { throw MapError(.EINVAL, "an LPM trie needs BPF_F_NO_PREALLOC") }
        guard flags & ~allowed == 0 else { throw unknownFlags(flags & ~allowed) }
        guard accessFlagsOK else { throw MapError(.EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together") }
        guard keySize >= 5, keySize <= 4 + MapLimits.lpmDataMax else {
            throw MapError(.EINVAL, "LPM key size \(keySize) is outside 5...260 (4-byte prefix length + 1...256 data bytes)")
        }
        guard valueSize >= 1, UInt64(valueSize) <= valueMax else {
            throw MapError(.EINVAL, "LPM value size \(valueSize) is outside 1...\(valueMax)")
        }
    }

    private func validateRingbuf() throws(MapError) {
        guard flags & ~Self.numaNode == 0 else { throw unknownFlags(flags & ~Self.numaNode) }
        guard keySize == 0, valueSize == 0 else { throw MapError(.EINVAL, "a ring buffer has no key and no value") }
        guard maxEntries != 0, maxEntries & (maxEntries - 1) == 0, maxEntries % UInt32(MapLimits.pageSize) == 0 else {
            throw MapError(.EINVAL, "ring buffer size \(maxEntries) must be a power of 2 and a multiple of the page size")
        }
    }

    private func checkPercpuValue() throws(MapError) {
        guard UInt64(roundUp8(Int(valueSize))) <= MapLimits.percpuUnit else {
            throw MapError(.E2BIG, "per-CPU value size \(valueSize) exceeds \(MapLimits.percpuUnit) bytes")
        }
    }

    private func unknownFlags(_ bits: UInt32) -> MapError {
        MapError(.EINVAL, "flags 0x\(String(bits, radix: 16)) are not valid for \(type)")
    }
}
