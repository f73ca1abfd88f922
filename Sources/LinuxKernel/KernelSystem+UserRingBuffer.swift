import BPFCore
import Glibc
import TCX

/// User ring buffers on the kernel: the map mmap'd as libbpf's user_ring_buffer__new maps it,
/// the consumer page read-only (the kernel refuses it writable: EPERM), then the producer page
/// and the data, which the kernel maps twice, read-write. A map file of its own keeps the
/// mapping's map alive whatever the caller closes.
extension KernelSystem: UserRingBufferWriting {
    public func openUserRingBuffer(map: Handle) throws(TCXError) -> UserRingBufferMemory {
        let info = try mapInfo(map)
        guard info.type == .userRingbuf else { throw TCXError(.EINVAL, "map \(info.name) is not a user ring buffer") }
        let own = try world.run { state throws(TCXError) in state.adopt(try ObjectInfo.open(.mapGetFDByID, id: info.id)) }
        let fd = Int32(bitPattern: own.rawValue)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = Int(info.maxEntries)
        let (writable, overflow) = (2 * size).addingReportingOverflow(page)
        guard !overflow else { throw TCXError(.EINVAL, "a \(size)-byte ring does not fit in memory") }
        func fail(_ what: String) -> TCXError {
            let code = errno
            try? close(own)
            return TCXError(LinuxErrno(rawValue: code), "mmap of the \(what) of user ring buffer \(info.name)")
        }
        guard let consumer = mmap(nil, page, PROT_READ, MAP_SHARED, fd, 0), consumer != MAP_FAILED else {
            throw fail("consumer page")
        }
        guard let rest = mmap(nil, writable, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(page)), rest != MAP_FAILED else {
            munmap(consumer, page)
            throw fail("producer page and data")
        }
        let consumerAddress = UInt(bitPattern: consumer), restAddress = UInt(bitPattern: rest)
        return UserRingBufferMemory(consumer: UnsafeRawPointer(consumer), producer: rest, data: rest + page, size: size) { [self] in
            munmap(UnsafeMutableRawPointer(bitPattern: consumerAddress), page)
            munmap(UnsafeMutableRawPointer(bitPattern: restAddress), writable)
            try? self.close(own)
        }
    }
}
