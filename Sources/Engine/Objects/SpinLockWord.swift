import BPFCore

/// The kernel copies a map value to and from userspace around its `bpf_spin_lock`: an update
/// leaves the lock word alone and a lookup reads it as 0 (it is 0 whenever no program holds
/// it). Userspace values are shown and taken here the same way.
enum SpinLockWord {
    static func hidden(_ value: [UInt8], in spec: MapSpec) -> [UInt8] {
        guard let offset = spec.spinLockOffset.map(Int.init), offset <= value.count - 4 else { return value }
        var copy = value
        copy.replaceSubrange(offset..<offset + 4, with: [0, 0, 0, 0])
        return copy
    }
}
