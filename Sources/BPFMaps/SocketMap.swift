import BPFCore

/// A socket a SOCKMAP or SOCKHASH holds: which socket of the world (its identity there) and the
/// cookie userspace reads back for it.
public struct MapSocket: Hashable, Sendable {
    public let identity: UInt64
    public let cookie: UInt64

    public init(identity: UInt64, cookie: UInt64) {
        self.identity = identity
        self.cookie = cookie
    }
}

/// BPF_MAP_TYPE_SOCKMAP, SOCKHASH, XSKMAP and REUSEPORT_SOCKARRAY: maps of sockets.
/// A SOCKMAP or SOCKHASH holds the world's sockets (those `listen` opened): userspace stores
/// one by its descriptor, a program stores one it looked up, and a program's lookup hands back
/// a reference to it (net/core/sock_map.c). An XSKMAP or REUSEPORT_SOCKARRAY stays empty: the
/// embedded world has no AF_XDP or reuseport-group socket, so every update is refused as the
/// kernel refuses a descriptor that is not one. All orders and errnos measured on Linux 6.18.
public final class SocketMap: BPFMap, @unchecked Sendable {
    private let lock = ReadWriteLock()
    /// SOCKMAP slots by index.
    private var slots: [UInt32: MapSocket] = [:]
    /// SOCKHASH entries, placed in buckets as the kernel places them (for the key walk).
    private var buckets: SocketHashBuckets

    init(spec: MapSpec, possibleCPUs: Int) {
        buckets = SocketHashBuckets(maxEntries: spec.type == .sockhash ? spec.maxEntries : 1)
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    private var holdsSockets: Bool { type == .sockmap || type == .sockhash }

    private func index(_ key: [UInt8]) -> UInt32 { key.withPointer { $0.loadUnaligned(as: UInt32.self) } }

    private func socket(at key: [UInt8]) -> MapSocket? {
        lock.read { type == .sockmap ? slots[index(key)] : buckets.socket(key) }
    }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        if type == .xskmap { throw MapError(.EOPNOTSUPP, "an xskmap cannot be read from userspace") }
        // Userspace reads a socket's cookie, which needs an 8-byte value.
        guard valueSize == 8 else { throw MapError(.ENOSPC, "a \(type) with \(valueSize)-byte values cannot return a socket cookie") }
        guard holdsSockets, let socket = socket(at: key) else { throw MapError(.ENOENT, "the \(type) holds no socket under this key") }
        return withUnsafeBytes(of: socket.cookie) { Array($0) }
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        try updateElement(key, value, flags: flags, world: EmptyDescriptorWorld())
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64, world: any MapDescriptorWorld) throws(MapError) {
        let descriptor: Int64
        switch type {
        case .sockmap, .sockhash:
            // The socket first: the flags and the slot are checked only once it is found.
            descriptor = valueSize == 8 ? Int64(bitPattern: value.withPointer { $0.loadUnaligned(as: UInt64.self) })
                : Int64(value.withPointer { $0.loadUnaligned(as: UInt32.self) })
            guard descriptor >= 0, descriptor <= Int64(Int32.max) else {
                throw MapError(.EINVAL, "socket fd \(UInt64(bitPattern: descriptor)) exceeds INT_MAX")
            }
        default:
            guard flags <= MapUpdateFlags.exist else { throw MapError(.EINVAL, "update flags 0x\(String(flags, radix: 16))") }
            let index = index(key)
            guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
            if valueSize == 8 {
                let wide = value.withPointer { $0.loadUnaligned(as: UInt64.self) }
                guard wide <= UInt64(Int32.max) else { throw MapError(.EINVAL, "socket fd \(wide) exceeds INT_MAX") }
                descriptor = Int64(wide)
            } else {
                descriptor = Int64(value.withPointer { $0.loadUnaligned(as: Int32.self) })
            }
        }
        guard let fd = Int32(exactly: descriptor), world.isOpen(descriptor: fd) else {
            throw MapError(.EBADF, "fd \(descriptor) is not open")
        }
        guard holdsSockets, let socket = world.socket(descriptor: fd) else {
            throw MapError(.ENOTSOCK, "fd \(fd) is no socket a \(type) can hold in the embedded world")
        }
        if let error = store(key, socket, flags: flags) { throw MapError(error, "the \(type) refused the socket (flags 0x\(String(flags, radix: 16)))") }
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let index = index(key)
        switch type {
        case .xskmap:
            guard index < maxEntries else { throw MapError(.EINVAL, "index \(index) is past max_entries \(maxEntries)") }
        case .sockmap, .sockhash:
            if let error = remove(key) {
                throw MapError(error, type == .sockhash ? "the sockhash holds no socket under this key"
                    : index < maxEntries ? "slot \(index) holds no socket" : "index \(index) is past max_entries \(maxEntries)")
            }
        default:
            guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
            throw MapError(.ENOENT, "slot \(index) holds no socket")
        }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        guard type == .sockhash else { return try ArrayMap.nextIndexKey(after: key, maxEntries: maxEntries) }
        guard let next = lock.read({ buckets.key(after: key) }) else { throw MapError(.ENOENT, "no sockhash key follows") }
        return next
    }

    // MARK: storing and removing (sock_map_update_common, sock_hash_update_common, deletes)

    /// Stores `socket` under `key` with the kernel's flag, slot and capacity checks; the errno on refusal.
    private func store(_ key: [UInt8], _ socket: MapSocket, flags: UInt64) -> LinuxErrno? {
        guard flags <= MapUpdateFlags.exist else { return .EINVAL }
        return lock.write { () -> LinuxErrno? in
            let present: Bool
            if type == .sockmap {
                let index = index(key)
                guard index < maxEntries else { return .E2BIG }
                present = slots[index] != nil
            } else {
                present = buckets.socket(key) != nil
            }
            if present, flags == MapUpdateFlags.noExist { return .EEXIST }
            if !present, flags == MapUpdateFlags.exist { return .ENOENT }
            if type == .sockmap {
                slots[index(key)] = socket
                return nil
            }
            guard present || buckets.count < Int(maxEntries) else { return .E2BIG }
            buckets.insert(key, socket)
            return nil
        }
    }

    /// Removes the socket under `key`: a SOCKMAP answers EINVAL for an empty or missing slot, a
    /// SOCKHASH ENOENT for a missing key.
    private func remove(_ key: [UInt8]) -> LinuxErrno? {
        lock.write { () -> LinuxErrno? in
            if type == .sockmap {
                return slots.removeValue(forKey: index(key)) == nil ? .EINVAL : nil
            }
            return buckets.remove(key) ? nil : .ENOENT
        }
    }

    /// A socket closed: it leaves every slot and key that held it, as sock_map_close unlinks it.
    public func forget(identity: UInt64) {
        lock.write {
            slots = slots.filter { $0.value.identity != identity }
            buckets.removeAll { $0.identity == identity }
        }
    }

    // MARK: program

    /// bpf_map_lookup_elem from a program: the socket under the key, if any (the caller hands
    /// the program a reference to it).
    public func socketForProgram(key: UnsafeRawPointer) -> MapSocket? {
        guard holdsSockets else { return nil }
        return socket(at: [UInt8](UnsafeRawBufferPointer(start: key, count: keySize)))
    }

    /// bpf_map_update_elem from a program with a socket it holds; nil `socket` is one the map
    /// cannot take (the skb's own test-run socket is neither TCP nor UDP: EOPNOTSUPP).
    public func storeFromProgram(key: UnsafeRawPointer, socket: MapSocket?, flags: UInt64) -> LinuxErrno? {
        guard holdsSockets, let socket else { return .EOPNOTSUPP }
        return store([UInt8](UnsafeRawBufferPointer(start: key, count: keySize)), socket, flags: flags)
    }

    /// bpf_map_delete_elem from a program: as from userspace.
    public override func deleteFromProgram(key: UnsafeRawPointer, cpu: Int) -> LinuxErrno? {
        guard holdsSockets else { return .EINVAL }
        return remove([UInt8](UnsafeRawBufferPointer(start: key, count: keySize)))
    }

    /// bpf_map_update_elem from a program goes through `storeFromProgram`, which knows the socket.
    public override func updateFromProgram(key: UnsafeRawPointer, value: UnsafeRawPointer, flags: UInt64, cpu: Int) -> LinuxErrno? {
        .EOPNOTSUPP
    }
}
