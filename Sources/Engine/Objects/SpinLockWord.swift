import BPFCore

/// The kernel copies a map value to and from userspace around its `bpf_spin_lock` and
/// `bpf_timer`: an update leaves those bytes alone and a lookup reads them as 0 (a lock is 0
/// whenever no program holds it; a timer lives beside the value). Userspace values are shown
/// and taken here the same way.
enum SpinLockWord {
    static func hidden(_ value: [UInt8], in spec: MapSpec) -> [UInt8] {
        var copy = value
        if let offset = spec.spinLockOffset.map(Int.init), offset <= value.count - 4 {
            copy.replaceSubrange(offset..<offset + 4, with: [0, 0, 0, 0])
        }
        // Only these map types hold timers; the kernel creates the others with the bytes
        // as plain bytes (measured on Linux 6.18: a per-CPU array of such values loads).
        if [.array, .hash, .lruHash].contains(spec.type), let offset = spec.timerOffset.map(Int.init),
           offset <= value.count - 16 {
            copy.replaceSubrange(offset..<offset + 16, with: [UInt8](repeating: 0, count: 16))
        }
        // A `bpf_wq` is kept beside the value as a timer is (measured: corpus/maps/wq.tcx).
        if [.array, .hash, .lruHash].contains(spec.type), let offset = spec.workqueueOffset.map(Int.init),
           offset <= value.count - 16 {
            copy.replaceSubrange(offset..<offset + 16, with: [UInt8](repeating: 0, count: 16))
        }
        // A kptr field: userspace neither reads nor writes the object pointer.
        for field in spec.kptrFields where Int(field.offset) <= value.count - Int(KptrField.size) {
            let offset = Int(field.offset)
            copy.replaceSubrange(offset..<offset + Int(KptrField.size), with: [UInt8](repeating: 0, count: Int(KptrField.size)))
        }
        // A list head: userspace neither reads nor writes it.
        for root in spec.graphRoots where Int(root.offset) <= value.count - Int(GraphRoot.size) {
            let offset = Int(root.offset)
            copy.replaceSubrange(offset..<offset + Int(GraphRoot.size), with: [UInt8](repeating: 0, count: Int(GraphRoot.size)))
        }
        return copy
    }
}
