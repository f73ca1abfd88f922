import BPFCore
import Synchronization

/// BPF_MAP_TYPE_BLOOM_FILTER: values without keys that programs push and test with
/// bpf_map_peek_elem. This one keeps the exact set of values pushed, so it never answers
/// "maybe" for a value nobody pushed; the kernel's bit array can (false positives depend on its
/// random seed and its hash functions). Everything else follows the kernel: push takes only
/// BPF_ANY and has no capacity limit, pop is EOPNOTSUPP.
public final class BloomFilterMap: BPFMap, @unchecked Sendable {
    private let values = Mutex<Set<[UInt8]>>([])

    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    public func push(_ value: [UInt8], flags: UInt64) -> LinuxErrno? {
        guard flags == MapUpdateFlags.any else { return .EINVAL }
        values.withLock { _ = $0.insert(value) }
        return nil
    }

    /// Peek: nil when `value` may be in the set, ENOENT when it is not.
    public func test(_ value: [UInt8]) -> LinuxErrno? {
        values.withLock { $0.contains(value) } ? nil : .ENOENT
    }

    /// A userspace lookup tests the value buffer the caller passes; through this API that buffer
    /// is zeroed, as the kernel backend passes it.
    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let zero = [UInt8](repeating: 0, count: valueSize)
        if let error = test(zero) { throw MapError(error, "the zero value is not in the bloom filter") }
        return zero
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        if let error = push(value, flags: flags) { throw MapError(error, "bloom filter pushes take only BPF_ANY") }
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        throw MapError(.EOPNOTSUPP, "a bloom filter has no delete")
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.EOPNOTSUPP, "a bloom filter has no keys")
    }
}
