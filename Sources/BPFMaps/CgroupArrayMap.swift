import BPFCore
import Synchronization

/// BPF_MAP_TYPE_CGROUP_ARRAY: slots that hold cgroup v2 directories, for bpf_skb_under_cgroup and
/// bpf_current_task_under_cgroup. Userspace fills a slot with a descriptor of a cgroup v2
/// directory opened by this process, as on the kernel; lookup is ENOTSUPP, delete empties a slot.
public final class CgroupArrayMap: BPFMap, @unchecked Sendable {
    private let slots = Mutex<[UInt32: CgroupDirectory]>([:])

    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    /// Whether this process (its tasks and the sockets it makes) is in the cgroup of slot
    /// `index` or below it; the kernel's E2BIG past max_entries, EAGAIN for an empty slot.
    public func processIsUnder(index: UInt32) -> Result<Bool, MapError> {
        guard index < maxEntries else { return .failure(MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)")) }
        guard let cgroup = slots.withLock({ $0[index] }) else { return .failure(MapError(.EAGAIN, "slot \(index) is empty")) }
        return .success(CgroupDirectory.processAncestry.contains(cgroup))
    }

    private func index(_ key: [UInt8]) -> UInt32 {
        key.withPointer { $0.loadUnaligned(as: UInt32.self) }
    }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "a cgroup array cannot be read from userspace")
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        guard flags == MapUpdateFlags.any else { throw MapError(.EINVAL, "a cgroup array takes only BPF_ANY") }
        let index = index(key)
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
        let descriptor = value.withPointer { $0.loadUnaligned(as: Int32.self) }
        guard let cgroup = CgroupDirectory.of(descriptor: descriptor) else {
            throw MapError(.EBADF, "fd \(descriptor) is not a cgroup v2 directory of this process")
        }
        slots.withLock { $0[index] = cgroup }
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let index = index(key)
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
        guard slots.withLock({ $0.removeValue(forKey: index) }) != nil else { throw MapError(.ENOENT, "slot \(index) is empty") }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        guard let key, index(key) < maxEntries else { return [0, 0, 0, 0] }
        let next = index(key) + 1
        guard next < maxEntries else { throw MapError(.ENOENT, "no key after the last index") }
        return withUnsafeBytes(of: next) { [UInt8]($0) }
    }
}
