import BPFCore

extension MapSpec {
    /// BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK: no key, a value, at least one entry; NUMA and
    /// access flags only.
    func validateQueueStack() throws(MapError) {
        let allowed = Self.numaNode | Self.accessFlags
        guard maxEntries != 0, keySize == 0, valueSize != 0 else {
            throw MapError(.EINVAL, "\(type) needs max_entries and value size non-zero and key size 0")
        }
        guard flags & ~allowed == 0 else { throw MapError(.EINVAL, "\(type) takes only NUMA and access flags") }
        guard flags & (MapFlags.rdonlyProg | MapFlags.wronlyProg) != (MapFlags.rdonlyProg | MapFlags.wronlyProg) else {
            throw MapError(.EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together")
        }
        guard UInt64(valueSize) <= MapLimits.kmallocMax else { throw MapError(.E2BIG, "value size \(valueSize) is too large") }
    }
}

extension MapSpec {
    /// BPF_MAP_TYPE_BLOOM_FILTER: no key, a value, at least one entry, at most 15 hash
    /// functions in map_extra; NUMA, zero-seed and access flags only.
    func validateBloomFilter() throws(MapError) {
        let allowed = Self.numaNode | Self.zeroSeed | Self.accessFlags
        guard keySize == 0, valueSize != 0, maxEntries != 0, flags & ~allowed == 0, mapExtra & ~0xf == 0 else {
            throw MapError(.EINVAL, "bloom_filter needs key size 0, a value, max_entries, flags it takes and map_extra ≤ 15")
        }
        guard flags & (MapFlags.rdonlyProg | MapFlags.wronlyProg) != (MapFlags.rdonlyProg | MapFlags.wronlyProg) else {
            throw MapError(.EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together")
        }
    }
}
