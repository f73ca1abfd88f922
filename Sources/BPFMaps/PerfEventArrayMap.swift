import BPFCore
import Synchronization

/// BPF_MAP_TYPE_PERF_EVENT_ARRAY: slots that hold perf events (here `PerfEventRing`s a reader
/// installs), the targets of `bpf_perf_event_output`. Userspace sees the kernel's errnos: lookup
/// is ENOTSUPP, an update needs a perf event descriptor (none exists in the embedded world, so
/// EBADF), delete empties a slot.
public final class PerfEventArrayMap: BPFMap, @unchecked Sendable {
    /// BPF_F_INDEX_MASK; the index BPF_F_CURRENT_CPU (all ones) means the running CPU.
    public static let indexMask: UInt64 = 0xffff_ffff
    /// BPF_F_PRESERVE_ELEMS: slots keep their events when the map file that filled them closes.
    public static let preserveElements: UInt32 = 0x800
    /// BPF_F_CTXLEN_MASK: how many bytes of the context (the packet) to append to the sample.
    public static let contextLengthMask: UInt64 = 0xf_ffff << 32

    /// Slots by index: max_entries may be up to 2^31 - 1, so only filled slots take memory.
    private let slots = Mutex<[UInt32: PerfEventRing]>([:])

    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    /// Puts `ring` in slot `index`, replacing what was there: what a reader's update with its
    /// perf event descriptor does.
    public func install(_ ring: PerfEventRing, at index: UInt32) throws(MapError) {
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
        slots.withLock { $0[index] = ring }
    }

    /// Empties slot `index` if it still holds `ring` (a later reader's ring stays).
    public func remove(_ ring: PerfEventRing, at index: UInt32) {
        slots.withLock { slots in
            if slots[index] === ring { slots[index] = nil }
        }
    }

    /// The ring in slot `index`, nil when empty.
    public func ring(at index: UInt32) -> PerfEventRing? {
        slots.withLock { $0[index] }
    }

    /// The map side of `bpf_perf_event_output` once the helper has checked its flags: the slot
    /// is the flags' index (or `cpu` for BPF_F_CURRENT_CPU). Nil, or the errno in the kernel's
    /// order: E2BIG past max_entries, ENOENT for an empty slot, EOPNOTSUPP for an event of
    /// another CPU, ENOSPC when the ring is full.
    public func output(flags: UInt64, cpu: Int, _ bytes: [UInt8]) -> LinuxErrno? {
        var index = flags & Self.indexMask
        if index == Self.indexMask { index = UInt64(cpu) }
        guard index < UInt64(maxEntries) else { return .E2BIG }
        guard let ring = ring(at: UInt32(index)) else { return .ENOENT }
        guard ring.cpu == cpu else { return .EOPNOTSUPP }
        return ring.write(bytes)
    }

    private func index(_ key: [UInt8]) -> UInt32 {
        key.withPointer { $0.loadUnaligned(as: UInt32.self) }
    }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "a perf event array cannot be read from userspace")
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        guard flags == MapUpdateFlags.any else { throw MapError(.EINVAL, "a perf event array takes only BPF_ANY") }
        let index = index(key)
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
        throw MapError(.EBADF, "the value must be a perf event descriptor; open a perf event reader instead")
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let index = index(key)
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
        let removed = slots.withLock { $0.removeValue(forKey: index) }
        guard removed != nil else { throw MapError(.ENOENT, "slot \(index) is empty") }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        // The array rule: no key or one out of range starts at 0; the last has no next.
        guard let key, index(key) < maxEntries else { return [0, 0, 0, 0] }
        let next = index(key) + 1
        guard next < maxEntries else { throw MapError(.ENOENT, "no key after the last index") }
        return withUnsafeBytes(of: next) { [UInt8]($0) }
    }
}
