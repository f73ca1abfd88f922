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
