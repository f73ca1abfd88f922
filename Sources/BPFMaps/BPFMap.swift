import Atomics
import BPFCore
import Synchronization

/// One key/value pair of a map as userspace sees it.
public struct MapEntry: Equatable, Sendable {
    public var key: [UInt8]
    public var value: [UInt8]
    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

/// A BPF map of the embedded engine. `create(_:possibleCPUs:)` picks the subclass for the spec's type.
///
/// Two faces, as in the kernel: the userspace one (the bpf(2) commands, byte arrays in and out, with
/// the syscall's permission and flag checks) and the program one (helpers: raw key pointers, value
/// pointers into the map's own storage that stay valid while the map lives).
public class BPFMap: @unchecked Sendable {
    public let spec: MapSpec
    public let possibleCPUs: Int
    private let frozen = ManagedAtomic<Bool>(false)
    /// MapValueFields.swift: the runtime's state beside the values (BPF timers).
    let fieldsBox = Mutex<(any MapValueFields)?>(nil)

    init(validated spec: MapSpec, possibleCPUs: Int) {
        self.spec = spec
        self.possibleCPUs = possibleCPUs
    }

    public var type: MapType { spec.type }
    public var keySize: Int { Int(spec.keySize) }
    public var valueSize: Int { Int(spec.valueSize) }
    public var maxEntries: UInt32 { spec.maxEntries }
    /// Bytes of a value in a userspace call: per-CPU maps give one copy per possible CPU, each
    /// rounded up to 8 bytes; a program array gives a 4-byte program id.
    public var userValueSize: Int { valueSize }
    /// False for BPF_F_RDONLY_PROG: programs may read values but not write them.
    public var programWritable: Bool { spec.flags & MapFlags.rdonlyProg == 0 }
    /// True after `freeze()`: userspace may no longer write (programs still may).
    public var isFrozen: Bool { frozen.load(ordering: .acquiring) }

    // MARK: userspace (bpf(2)) API

    /// BPF_MAP_LOOKUP_ELEM. `world` resolves a key that is a descriptor (SK_STORAGE).
    public final func lookup(key: [UInt8], flags: UInt64 = 0, world: (any MapDescriptorWorld)? = nil) throws(MapError) -> [UInt8] {
        guard flags & ~MapUpdateFlags.lock == 0 else { throw MapError(.EINVAL, "lookup flags 0x\(String(flags, radix: 16))") }
        guard spec.flags & MapFlags.wronly == 0 else { throw MapError(.EPERM, "map is write-only for userspace") }
        try checkLockFlag(flags)
        try checkKey(key)
        return try lookupElement(key, world: world ?? EmptyDescriptorWorld())
    }

    /// BPF_MAP_UPDATE_ELEM with BPF_ANY, BPF_NOEXIST or BPF_EXIST. `world` resolves what a
    /// device or socket map's value names (ifindexes, descriptors); without one nothing resolves.
    public final func update(key: [UInt8], value: [UInt8], flags: UInt64 = MapUpdateFlags.any,
                             world: (any MapDescriptorWorld)? = nil) throws(MapError) {
        // Sizes first: a key or value of the wrong size never reaches the kernel (EINVAL on both
        // backends), even for a frozen or read-only map.
        try checkKey(key)
        guard value.count == userValueSize else {
            throw MapError(.EINVAL, "value is \(value.count) bytes, the map takes \(userValueSize)")
        }
        try checkWritable()
        try checkLockFlag(flags)
        if let world {
            try updateElement(key, value, flags: flags, world: world)
        } else {
            try updateElement(key, value, flags: flags)
        }
    }

    /// BPF_MAP_DELETE_ELEM. `world` resolves a key that is a descriptor (SK_STORAGE).
    public final func delete(key: [UInt8], flags: UInt64 = 0, world: (any MapDescriptorWorld)? = nil) throws(MapError) {
        guard flags == 0 else { throw MapError(.EINVAL, "delete flags 0x\(String(flags, radix: 16))") }
        try checkKey(key)
        try checkWritable()
        try deleteElement(key, world: world ?? EmptyDescriptorWorld())
    }

    /// BPF_MAP_GET_NEXT_KEY: the first key for nil (and, for hash and LPM maps, for a key not in the map).
    public final func nextKey(after key: [UInt8]?) throws(MapError) -> [UInt8] {
        guard spec.flags & MapFlags.wronly == 0 else { throw MapError(.EPERM, "map is write-only for userspace") }
        if let key { try checkKey(key) }
        return try nextKeyElement(key)
    }

    /// Every entry, walking keys with `nextKey` as `bpftool map dump` does; entries that vanish
    /// between the two calls, and empty program array slots, are left out.
    public final func dump() throws(MapError) -> [MapEntry] {
        var entries: [MapEntry] = []
        var key: [UInt8]? = nil
        // A concurrent delete can send a hash walk back to the first key: bound the walk.
        var budget = Int(maxEntries) * 2 + 16
        while budget > 0 {
            budget -= 1
            let next: [UInt8]
            do { next = try nextKey(after: key) } catch where error.errno == .ENOENT { break }
            do { entries.append(MapEntry(key: next, value: try lookup(key: next))) } catch where error.errno == .ENOENT {}
            key = next
        }
        return entries
    }

    /// BPF_MAP_FREEZE: userspace writes fail with EPERM from now on; a second freeze is EPERM too.
    public final func freeze() throws(MapError) {
        try checkWritable()
        guard frozen.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw MapError(.EPERM, "map is already frozen")
        }
    }

    private func checkWritable() throws(MapError) {
        guard spec.flags & MapFlags.rdonly == 0 else { throw MapError(.EPERM, "map is read-only for userspace") }
        guard !isFrozen else { throw MapError(.EPERM, "map is frozen") }
    }

    private func checkLockFlag(_ flags: UInt64) throws(MapError) {
        // BPF_F_LOCK needs a bpf_spin_lock in the value, which needs BTF this engine does not keep.
        guard flags & MapUpdateFlags.lock == 0 else { throw MapError(.EINVAL, "BPF_F_LOCK on a value without bpf_spin_lock") }
    }

    private func checkKey(_ key: [UInt8]) throws(MapError) {
        // The kernel reads key_size bytes whatever the caller meant; a byte array can say more.
        guard key.count == keySize else { throw MapError(.EINVAL, "key is \(key.count) bytes, the map takes \(keySize)") }
    }

    // MARK: what each map type implements (sizes already checked)

    func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "\(type) has no lookup")
    }

    func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        throw MapError(.ENOTSUPP, "\(type) has no update")
    }

    /// An update whose value names things of the world; maps of plain values ignore it.
    func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64, world: any MapDescriptorWorld) throws(MapError) {
        try updateElement(key, value, flags: flags)
    }

    func deleteElement(_ key: [UInt8]) throws(MapError) {
        throw MapError(.ENOTSUPP, "\(type) has no delete")
    }

    /// A lookup or delete whose key names something of the world; maps of plain keys ignore it.
    func lookupElement(_ key: [UInt8], world: any MapDescriptorWorld) throws(MapError) -> [UInt8] {
        try lookupElement(key)
    }

    func deleteElement(_ key: [UInt8], world: any MapDescriptorWorld) throws(MapError) {
        try deleteElement(key)
    }

    func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "\(type) has no keys")
    }

    // MARK: program (helper) API

    /// bpf_map_lookup_elem: the value of `key` for `cpu` (0..<possibleCPUs), nil when absent.
    /// The pointer stays valid while the map lives; a deleted hash element's storage is reused later.
    public func lookupForProgram(key: UnsafeRawPointer, cpu: Int) -> UnsafeMutableRawPointer? { nil }

    /// bpf_map_update_elem: nil on success, else the errno the helper returns negated.
    public func updateFromProgram(key: UnsafeRawPointer, value: UnsafeRawPointer, flags: UInt64, cpu: Int) -> LinuxErrno? {
        .EINVAL
    }

    /// bpf_map_delete_elem: nil on success, else the errno the helper returns negated.
    public func deleteFromProgram(key: UnsafeRawPointer, cpu: Int) -> LinuxErrno? { .EINVAL }
}

extension Array where Element == UInt8 {
    /// Runs `body` with the bytes' address; callers only pass arrays of a non-zero key or value size.
    @inline(__always)
    func withPointer<T>(_ body: (UnsafeRawPointer) -> T) -> T {
        withUnsafeBytes { body($0.baseAddress!) }
    }
}
