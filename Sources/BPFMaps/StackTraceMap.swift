import BPFCore

/// BPF_MAP_TYPE_STACK_TRACE: stacks by id, which only `bpf_get_stackid` of a tracing program
/// writes. A tc object holds one beside its tracing programs (libbpf creates every map of an
/// object, so without it none of the object's tc programs loads), but no tc program may fill or
/// read it, and the embedded backend runs no tracing program: every bucket stays empty. Its
/// userspace answers are the kernel's for empty buckets (`stack_map_*`, measured on Linux 6.18).
public final class StackTraceMap: BPFMap, @unchecked Sendable {
    /// The kernel's bucket count: max_entries rounded up to a power of two.
    let buckets: UInt64

    init(spec: MapSpec, possibleCPUs: Int) {
        var count: UInt64 = 1
        while count < UInt64(spec.maxEntries) { count <<= 1 }
        buckets = count
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    private func id(_ key: [UInt8]) -> UInt64 {
        UInt64(key.withPointer { $0.loadUnaligned(as: UInt32.self) })
    }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        throw MapError(.ENOENT, "stack id \(id(key)) holds no stack")
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        throw MapError(.EINVAL, "only bpf_get_stackid writes a stack map")
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let stack = id(key)
        guard stack < buckets else { throw MapError(.E2BIG, "stack id \(stack) is beyond the map's \(buckets) buckets") }
        throw MapError(.ENOENT, "stack id \(stack) holds no stack")
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOENT, "the stack map holds no stack")
    }
}

extension MapSpec {
    /// BPF_F_STACK_BUILD_ID: frames as build id and offset (32 bytes each) instead of addresses.
    static let stackBuildID: UInt32 = 0x20
    /// sysctl kernel.perf_event_max_stack's default: the most frames a value may hold.
    static let perfEventMaxStack: UInt32 = 127

    /// `stack_map_alloc`'s checks, in its order.
    func validateStackTrace() throws(MapError) {
        let allowed = Self.numaNode | MapFlags.rdonly | MapFlags.wronly | Self.stackBuildID
        guard flags & ~allowed == 0 else {
            throw MapError(.EINVAL, "flags 0x\(String(flags & ~allowed, radix: 16)) are not valid for a stack map")
        }
        guard maxEntries != 0, keySize == 4, valueSize >= 8, valueSize % 8 == 0 else {
            throw MapError(.EINVAL, "a stack map takes a 4-byte key, max_entries, and 8-byte frames (value \(valueSize))")
        }
        let frameSize: UInt32 = flags & Self.stackBuildID != 0 ? 32 : 8
        guard valueSize % frameSize == 0, valueSize / frameSize <= Self.perfEventMaxStack else {
            throw MapError(.EINVAL, "value size \(valueSize) is not up to \(Self.perfEventMaxStack) frames of \(frameSize) bytes")
        }
        guard maxEntries <= 1 << 31 else { throw MapError(.E2BIG, "max_entries \(maxEntries) needs too many buckets") }
    }
}
