import BPFCore
import Glibc
import TCX

/// A map pinned in the host's bpffs (e.g. `/sys/fs/bpf/...`): what `tcx map … --pinned`
/// works on. No world, no namespace: the calling thread's view.
///
/// Opened read-only unless asked (BPF_F_RDONLY), so a dump or lookup cannot write, whatever
/// this type offers: the kernel itself refuses a write through a read-only fd.
public final class HostPinnedMap {
    public let path: String
    public let info: MapInfo
    public let writable: Bool
    private let fd: Int32
    private var handle: Handle { Handle(rawValue: UInt32(bitPattern: fd)) }

    /// Opens the pin at `path`, read-only unless `writable`; EINVAL when it is not a map.
    public init(path: String, writable: Bool = false) throws(TCXError) {
        let outcome = path.withCString { pathname in
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.Object.pathname, pointer: pathname)
            if !writable { attr.set(BPFAttr.Object.fileFlags, MapFlags.rdonly) }
            return BPFSyscall.attempt(.objGet, &attr)
        }
        let fd: Int32
        switch outcome {
        case .success(let opened): fd = opened
        case .failure(let code): throw BPFSyscall.failure(.objGet, code, "'\(path)'")
        }
        do throws(TCXError) {
            info = try MapCalls.info(Handle(rawValue: UInt32(bitPattern: fd)))
        } catch {
            _ = Glibc.close(fd)
            throw TCXError(error.errno, "'\(path)' is not a pinned map (\(error.reason))")
        }
        self.path = path
        self.fd = fd
        self.writable = writable
    }

    deinit { _ = Glibc.close(fd) }

    /// BPF_MAP_LOOKUP_ELEM (per-CPU maps: one 8-byte-aligned value per possible CPU).
    public func lookup(key: [UInt8]) throws(TCXError) -> [UInt8] {
        try MapCalls.lookup(handle, MapShape(info), key: key)
    }

    /// BPF_MAP_GET_NEXT_KEY; nil after the last key.
    public func nextKey(after key: [UInt8]?) throws(TCXError) -> [UInt8]? {
        try MapCalls.nextKey(handle, MapShape(info), after: key)
    }

    /// BPF_MAP_UPDATE_ELEM; the kernel answers EPERM on a read-only open.
    public func update(key: [UInt8], value: [UInt8], flags: UInt64) throws(TCXError) {
        try MapCalls.update(handle, MapShape(info), key: key, value: value, flags: flags)
    }

    /// BPF_MAP_DELETE_ELEM.
    public func delete(key: [UInt8]) throws(TCXError) {
        try MapCalls.delete(handle, MapShape(info), key: key)
    }
}
