import BPFCore
import Glibc
import TCX

/// A map pinned in the host's bpffs (e.g. `/sys/fs/bpf/...`), opened read-only: what
/// `tcx map dump/lookup --pinned` read. No world, no namespace: the calling thread's view.
///
/// The fd comes from BPF_OBJ_GET with BPF_F_RDONLY, so the kernel itself refuses any write
/// through it, whatever this type offers.
public final class HostPinnedMap {
    public let path: String
    public let info: MapInfo
    private let fd: Int32
    private var handle: Handle { Handle(rawValue: UInt32(bitPattern: fd)) }

    /// Opens the pin at `path`; EINVAL when it is not a map (a program or link pin).
    public init(path: String) throws(TCXError) {
        let outcome = path.withCString { pathname in
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.Object.pathname, pointer: pathname)
            attr.set(BPFAttr.Object.fileFlags, MapFlags.rdonly)
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
}
