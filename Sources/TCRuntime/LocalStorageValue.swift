import BPFMaps
import BPFVM

/// What the `*_storage_get` helpers share: the owner's value, or a new one when the flags ask
/// for it (BPF_LOCAL_STORAGE_GET_F_CREATE), filled from the value r3 points at unless NULL.
enum LocalStorageValue {
    static let createFlag: UInt64 = 1

    /// Nil fails the call (bad flags, no value and no create, an unreadable start value).
    static func get(_ call: inout HelperCall, valueSize: Int, what: String, existing: UnsafeMutableRawPointer?,
                    create: (UnsafeRawPointer?) -> UnsafeMutableRawPointer) -> (value: UnsafeMutableRawPointer, created: Bool)? {
        let flags = call.r4
        guard flags <= createFlag else { return nil }
        if let existing { return (existing, false) }
        guard flags == createFlag else { return nil }
        var initial: UnsafeRawPointer?
        if call.r3 != 0 {
            guard let start = call.memory(at: call.r3, count: valueSize, write: false, what) else { return nil }
            initial = UnsafeRawPointer(start.baseAddress)
        }
        return (create(initial), true)
    }

    /// The map r1 names as the storage kind `Map`; another map is refused (the kernel's
    /// verifier would), naming the kind the helper takes.
    static func map<Map: LocalStorageMap>(_ call: inout HelperCall, kind: String) -> Map? {
        guard let map = MapHelpers.map(&call) else { return nil }
        guard let storage = map as? Map else {
            call.failure = "map \(map.spec.name) is not a \(kind) map"
            return nil
        }
        return storage
    }

    /// `get` for storage keyed by an owner id (a task's thread, a cgroup's id): the value,
    /// granted to the run, as the helper's result; 0 when there is none.
    static func ownerGet(_ call: inout HelperCall, map: LocalStorageMap, owner: UInt64, what: String) -> UInt64 {
        guard let (value, _) = get(&call, valueSize: map.valueSize, what: what, existing: map.storage(ofOwner: owner),
                                   create: { map.create(for: owner, initial: $0) }) else { return 0 }
        let region = MemoryRegion(UnsafeMutableRawBufferPointer(start: value, count: map.valueSize))
        TCRun.borrow(call) { $0.grant(region) }
        return UInt64(UInt(bitPattern: value))
    }
}
