import BPFCore

/// BPF_MAP_TYPE_CGROUP_STORAGE and PERCPU_CGROUP_STORAGE (the older, attach-time kind): a value
/// per cgroup and attach type, made when a cgroup program that uses the map is attached and
/// reached by that program's bpf_get_local_storage. Tc programs may not use it, and nothing
/// attaches cgroup programs here, so the map holds no storage: it exists because libbpf creates
/// every map of an object (a tc program beside cgroup programs must load). Its userspace answers
/// are the kernel's for a map with nothing attached (`cgroup_storage_*`, measured on Linux 6.18).
public final class LegacyCgroupStorageMap: BPFMap, @unchecked Sendable {
    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    /// The per-CPU kind takes a copy per possible CPU, each rounded up to 8 bytes.
    public override var userValueSize: Int {
        type == .percpuCgroupStorage ? (valueSize + 7) / 8 * 8 * possibleCPUs : valueSize
    }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        throw MapError(.ENOENT, "no cgroup program using this map is attached")
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        guard flags & ~(MapUpdateFlags.lock | MapUpdateFlags.exist) == 0 else {
            throw MapError(.EINVAL, "update flags 0x\(String(flags, radix: 16)) (only BPF_EXIST and BPF_F_LOCK)")
        }
        if flags & MapUpdateFlags.lock != 0, spec.spinLockOffset == nil {
            throw MapError(.EINVAL, "BPF_F_LOCK on a value without a bpf_spin_lock")
        }
        throw MapError(.ENOENT, "no cgroup program using this map is attached: there is no storage to update")
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        throw MapError(.EINVAL, "cgroup storage is freed with its attachment, never deleted")
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOENT, "the map holds no cgroup storage")
    }
}

extension MapSpec {
    /// `cgroup_storage_map_alloc`'s checks, in its order.
    func validateLegacyCgroupStorage() throws(MapError) {
        // struct bpf_cgroup_storage_key (cgroup inode id, attach type; 16 bytes with padding) or the id alone.
        guard keySize == 16 || keySize == 8 else {
            throw MapError(.EINVAL, "cgroup storage keys are 16 bytes (id and attach type) or 8 (id), not \(keySize)")
        }
        guard valueSize != 0 else { throw MapError(.EINVAL, "value size is 0") }
        // PCPU_MIN_UNIT_SIZE for the per-CPU kind, local storage's largest value otherwise
        // (measured on Linux 6.18; older kernels allowed a page).
        let limit: UInt32 = type == .percpuCgroupStorage ? 32768 : Self.skStorageMaxValue
        guard valueSize <= limit else { throw MapError(.E2BIG, "value size \(valueSize) exceeds \(limit)") }
        let allowed = Self.numaNode | Self.accessFlags
        guard flags & ~allowed == 0 else {
            throw MapError(.EINVAL, "flags 0x\(String(flags & ~allowed, radix: 16)) are not valid for \(type)")
        }
        // Storage is per cgroup: a count of entries means nothing.
        guard maxEntries == 0 else { throw MapError(.EINVAL, "\(type) takes max_entries 0, not \(maxEntries)") }
    }
}
