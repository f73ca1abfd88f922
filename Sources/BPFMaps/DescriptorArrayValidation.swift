import BPFCore

/// BPF_MAP_CREATE's rules for BPF_MAP_TYPE_PERF_EVENT_ARRAY and BPF_MAP_TYPE_CGROUP_ARRAY, as
/// measured on Linux 6.18: the rules of an array of descriptors. Every refusal is EINVAL, except
/// a size the kernel cannot allocate (ENOMEM).
extension MapSpec {
    func validatePerfEventArray() throws(MapError) {
        try validateDescriptorArray(extraFlags: PerfEventArrayMap.preserveElements)
    }

    /// BPF_MAP_TYPE_CGROUP_ARRAY: the same rules, without BPF_F_PRESERVE_ELEMS (measured on 6.18).
    func validateCgroupArray() throws(MapError) {
        try validateDescriptorArray(extraFlags: 0)
    }

    /// The rules of the kernel's arrays of descriptors, in its order.
    private func validateDescriptorArray(extraFlags: UInt32) throws(MapError) {
        // A slot holds a descriptor: 4 bytes, and programs never see it as a value.
        guard valueSize == 4 else { throw MapError(.EINVAL, "\(type) value size must be 4 (a descriptor), not \(valueSize)") }
        guard flags & (MapFlags.rdonlyProg | MapFlags.wronlyProg) == 0 else {
            throw MapError(.EINVAL, "\(type) takes no BPF_F_RDONLY_PROG or BPF_F_WRONLY_PROG")
        }
        guard maxEntries != 0 else { throw MapError(.EINVAL, "max_entries is 0") }
        guard keySize == 4 else { throw MapError(.EINVAL, "\(type) key size must be 4, not \(keySize)") }
        let allowed = Self.numaNode | MapFlags.rdonly | MapFlags.wronly | extraFlags
        guard flags & ~allowed == 0 else {
            throw MapError(.EINVAL, "flags 0x\(String(flags & ~allowed, radix: 16)) are not valid for \(type)")
        }
        // The kernel allocates a pointer per slot at once: 2^31 - 1 slots were accepted on a
        // 6.18 machine, 2^32 - 1 were ENOMEM. The real bound is the machine's memory.
        guard maxEntries <= UInt32(Int32.max) else {
            throw MapError(.ENOMEM, "max_entries \(maxEntries) needs more memory than a pointer array may take")
        }
    }
}
