import BPFCore

extension BPFMap {
    /// BPF_MAP_CREATE: validates `spec` as the kernel does and builds the map for its type.
    /// `possibleCPUs` fixes how many copies a per-CPU value has.
    public static func create(_ spec: MapSpec, possibleCPUs: Int) throws(MapError) -> BPFMap {
        try spec.validate(possibleCPUs: possibleCPUs)
        switch spec.type {
        case .array, .percpuArray: return try ArrayMap(spec: spec, possibleCPUs: possibleCPUs)
        case .progArray: return ProgramArrayMap(spec: spec, possibleCPUs: possibleCPUs)
        case .hash, .percpuHash, .lruHash, .lruPercpuHash: return HashMap(spec: spec, possibleCPUs: possibleCPUs)
        case .lpmTrie: return LPMTrieMap(spec: spec, possibleCPUs: possibleCPUs)
        case .ringbuf: return try RingBufferMap(spec: spec, possibleCPUs: possibleCPUs)
        case .userRingbuf: return try UserRingBufferMap(spec: spec, possibleCPUs: possibleCPUs)
        case .queue, .stack: return QueueStackMap(spec: spec, possibleCPUs: possibleCPUs)
        case .bloomFilter: return BloomFilterMap(spec: spec, possibleCPUs: possibleCPUs)
        case .arrayOfMaps, .hashOfMaps: return try MapOfMapsMap(spec: spec, possibleCPUs: possibleCPUs)
        case .perfEventArray: return PerfEventArrayMap(spec: spec, possibleCPUs: possibleCPUs)
        case .skStorage: return SKStorageMap(spec: spec, possibleCPUs: possibleCPUs)
        case .taskStorage: return TaskStorageMap(spec: spec, possibleCPUs: possibleCPUs)
        case .cgrpStorage: return CgroupStorageMap(spec: spec, possibleCPUs: possibleCPUs)
        case .inodeStorage: return InodeStorageMap(spec: spec, possibleCPUs: possibleCPUs)
        case .stackTrace: return StackTraceMap(spec: spec, possibleCPUs: possibleCPUs)
        case .cgroupStorage, .percpuCgroupStorage: return LegacyCgroupStorageMap(spec: spec, possibleCPUs: possibleCPUs)
        case .cgroupArray: return CgroupArrayMap(spec: spec, possibleCPUs: possibleCPUs)
        case .devmap, .devmapHash:
            // A lookup points at the device's own record: the kernel makes the map read-only
            // to programs, and says so in the map's flags.
            var readOnly = spec
            readOnly.flags |= MapFlags.rdonlyProg
            return DeviceMap(spec: readOnly, possibleCPUs: possibleCPUs)
        case .cpumap: return CPUMap(spec: spec, possibleCPUs: possibleCPUs)
        case .xskmap, .sockmap, .sockhash, .reuseportSockarray: return SocketMap(spec: spec, possibleCPUs: possibleCPUs)
        default: throw MapError(.EINVAL, "unknown map type \(spec.type.rawValue)")
        }
    }
}
