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

    // The syscall side takes a socket descriptor as the key. The embedded world hands out no
    // socket descriptors, so every key is a bad descriptor, as an unused fd is on the kernel.

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        throw Self.noSocket(key)
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        throw Self.noSocket(key)
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        throw Self.noSocket(key)
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "sk_storage has no keys to walk")
    }

    private static func noSocket(_ key: [UInt8]) -> MapError {
        let fd = key.withPointer { $0.loadUnaligned(as: Int32.self) }
        return MapError(.EBADF, "fd \(fd) is not a socket of this world (the embedded world has no socket descriptors)")
    }
}
