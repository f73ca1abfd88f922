import BPFCore

/// BPF_MAP_TYPE_SOCKMAP, SOCKHASH, XSKMAP and REUSEPORT_SOCKARRAY: maps of sockets. The embedded
/// world has no socket a descriptor could name, so these maps stay empty: every update is
/// refused as the kernel refuses a descriptor that is no socket (or a slot or flag it checks
/// first), and lookups, deletes and key walks answer as the kernel does for an empty map.
/// All orders and errnos measured on Linux 6.18.
public final class SocketMap: BPFMap, @unchecked Sendable {
    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    private func index(_ key: [UInt8]) -> UInt32 { key.withPointer { $0.loadUnaligned(as: UInt32.self) } }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        if type == .xskmap { throw MapError(.EOPNOTSUPP, "an xskmap cannot be read from userspace") }
        // Userspace reads a socket's cookie, which needs an 8-byte value.
        guard valueSize == 8 else { throw MapError(.ENOSPC, "a \(type) with \(valueSize)-byte values cannot return a socket cookie") }
        throw MapError(.ENOENT, "the \(type) holds no socket under this key")
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
        throw MapError(.ENOTSOCK, "fd \(fd) is no socket (the embedded world has none to put in a \(type))")
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let index = index(key)
        switch type {
        case .xskmap:
            guard index < maxEntries else { throw MapError(.EINVAL, "index \(index) is past max_entries \(maxEntries)") }
        case .sockmap:
            throw MapError(.EINVAL, index < maxEntries ? "slot \(index) holds no socket" : "index \(index) is past max_entries \(maxEntries)")
        case .sockhash:
            throw MapError(.ENOENT, "the sockhash holds no socket under this key")
        default:
            guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
            throw MapError(.ENOENT, "slot \(index) holds no socket")
        }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        guard type != .sockhash else { throw MapError(.ENOENT, "the sockhash holds no keys") }
        return try ArrayMap.nextIndexKey(after: key, maxEntries: maxEntries)
    }

    // MARK: program

    /// bpf_map_delete_elem from a program on an empty map: a sockmap says EINVAL, a sockhash ENOENT.
    public override func deleteFromProgram(key: UnsafeRawPointer, cpu: Int) -> LinuxErrno? {
        type == .sockhash ? .ENOENT : .EINVAL
    }

    /// bpf_map_update_elem from a program needs a socket the kernel can hold; the embedded
    /// backend's sockets (bpf_sk_lookup_*) are descriptions, not kernel sockets.
    public override func updateFromProgram(key: UnsafeRawPointer, value: UnsafeRawPointer, flags: UInt64, cpu: Int) -> LinuxErrno? {
        .EOPNOTSUPP
    }
}
