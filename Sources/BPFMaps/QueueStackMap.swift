import BPFCore
import Synchronization

/// BPF_MAP_TYPE_QUEUE (first in, first out) and BPF_MAP_TYPE_STACK (last in, first out): values
/// without keys. Programs push, pop and peek (bpf_map_push_elem, _pop_elem, _peek_elem);
/// userspace pushes with an update and peeks with a lookup, as the kernel's syscall does.
public final class QueueStackMap: BPFMap, @unchecked Sendable {
    /// Oldest first.
    private let values = Mutex<[[UInt8]]>([])

    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    private var isStack: Bool { type == .stack }

    /// Push: BPF_EXIST replaces the oldest value when full; otherwise a full map is E2BIG.
    /// BPF_NOEXIST and unknown flags are EINVAL.
    public func push(_ value: [UInt8], flags: UInt64) -> LinuxErrno? {
        guard flags & MapUpdateFlags.noExist == 0, flags <= MapUpdateFlags.exist else { return .EINVAL }
        return values.withLock { values in
            if values.count >= Int(maxEntries) {
                guard flags & MapUpdateFlags.exist != 0 else { return .E2BIG }
                values.removeFirst()
            }
            values.append(value)
            return nil
        }
    }

    /// The value a pop or peek gives (the oldest for a queue, the newest for a stack), removed
    /// when `remove`; nil when empty (ENOENT).
    public func take(remove: Bool) -> [UInt8]? {
        values.withLock { values in
            guard !values.isEmpty else { return nil }
            if remove { return isStack ? values.removeLast() : values.removeFirst() }
            return isStack ? values.last : values.first
        }
    }

    public var count: Int { values.withLock { $0.count } }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        guard let value = take(remove: false) else { throw MapError(.ENOENT, "\(type) is empty") }
        return value
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        if let error = push(value, flags: flags) { throw MapError(error, "push to \(type) with flags \(flags)") }
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        throw MapError(.EINVAL, "\(type) has no delete: pop instead")
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.EINVAL, "\(type) has no keys")
    }
}
