import BPFCore

/// BPF_MAP_TYPE_SK_STORAGE: a value per socket (`LocalStorageMap`), made on demand by
/// `bpf_sk_storage_get` with BPF_SK_STORAGE_GET_F_CREATE and dropped by
/// `bpf_sk_storage_delete` or with the socket. Sockets are named by an identity the runtime
/// gives them (a world socket's, or the cookie of a test-run skb's own socket).
public final class SKStorageMap: LocalStorageMap, @unchecked Sendable {
    /// The value of `socket`, nil when it has none.
    public func storage(of socket: UInt64) -> UnsafeMutableRawPointer? { storage(ofOwner: socket) }

    /// Drops the value of `socket`; false when it had none.
    @discardableResult
    public func remove(socket: UInt64) -> Bool { remove(owner: socket) }

    /// Frees the value of a socket no run can name any more.
    public func release(socket: UInt64) { release(owner: socket) }

    // The syscall side takes a socket descriptor as the key, resolved in the caller's world: a
    // socket opened with a descriptor (`openSocket`) is a world socket, so userspace and programs
    // see one value. Without a world no descriptor is open.

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        try lookupElement(key, world: EmptyDescriptorWorld())
    }

    override func lookupElement(_ key: [UInt8], world: any MapDescriptorWorld) throws(MapError) -> [UInt8] {
        guard let value = storage(of: try Self.socket(key, in: world)) else {
            throw MapError(.ENOENT, "the socket has no storage")
        }
        return [UInt8](UnsafeRawBufferPointer(start: value, count: valueSize))
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        try updateElement(key, value, flags: flags, world: EmptyDescriptorWorld())
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64, world: any MapDescriptorWorld) throws(MapError) {
        try store(value, for: try Self.socket(key, in: world), flags: flags)
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        try deleteElement(key, world: EmptyDescriptorWorld())
    }

    override func deleteElement(_ key: [UInt8], world: any MapDescriptorWorld) throws(MapError) {
        guard remove(socket: try Self.socket(key, in: world)) else { throw MapError(.ENOENT, "the socket has no storage") }
    }

    /// The socket a descriptor key names (sockfd_lookup): EBADF when it is not open, ENOTSOCK
    /// when it opens something else.
    private static func socket(_ key: [UInt8], in world: any MapDescriptorWorld) throws(MapError) -> UInt64 {
        let fd = key.withPointer { $0.loadUnaligned(as: Int32.self) }
        guard world.isOpen(descriptor: fd) else { throw MapError(.EBADF, "fd \(fd) is not open") }
        guard let socket = world.socket(descriptor: fd) else { throw MapError(.ENOTSOCK, "fd \(fd) is not a socket") }
        return socket.identity
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "sk_storage has no keys to walk")
    }
}
