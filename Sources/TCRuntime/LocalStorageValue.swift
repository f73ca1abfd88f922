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
}
