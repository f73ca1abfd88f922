import BPFCore
import CBPFSys
import Glibc
import Synchronization
import TCX

/// One BPF output perf event and its mmap'd ring: a metadata page, then `dataSize` bytes the
/// kernel writes records into, read through PerfRingRecords.
final class PerfEventRingReader: @unchecked Sendable {
    /// struct perf_event_mmap_page: data_head at byte 1024, data_tail at 1032.
    private static let headOffset = 1024
    private static let tailOffset = 1032

    let cpu: Int
    let descriptor: Int32
    private let base: UnsafeMutableRawPointer
    private let pageSize: Int
    private let dataSize: Int
    /// One reader of the ring at a time; `nil` once closed.
    private let open = Mutex(true)

    /// Opens the event on `cpu` and maps `pages` data pages (a power of 2).
    init(cpu: Int, pages: Int) throws(TCXError) {
        let fd = cbpfsys_perf_open_bpf_output(Int32(cpu))
        guard fd >= 0 else { throw TCXError(LinuxErrno(rawValue: errno), "perf_event_open of a BPF output event on CPU \(cpu)") }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let (size, overflow) = pageSize.multipliedReportingOverflow(by: pages + 1)
        guard !overflow else {
            Glibc.close(fd)
            throw TCXError(.EINVAL, "\(pages) pages do not fit in memory")
        }
        let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            let code = errno
            Glibc.close(fd)
            throw TCXError(LinuxErrno(rawValue: code), "mmap of a perf event ring of \(pages) pages on CPU \(cpu)")
        }
        self.cpu = cpu
        descriptor = fd
        base = mapped
        self.pageSize = pageSize
        dataSize = pageSize * pages
    }

    /// Every record between the tail and the head, in order (PerfRingRecords checks them);
    /// the tail then moves to the head.
    func read() -> [PerfEventRecord] {
        open.withLock { isOpen -> [PerfEventRecord] in
            guard isOpen else { return [] }
            let head = cbpfsys_load_acquire_u64(base + Self.headOffset)
            let tail = (base + Self.tailOffset).load(as: UInt64.self)
            let data = UnsafeRawBufferPointer(start: base + pageSize, count: dataSize)
            let records = PerfRingRecords(data: data, cpu: cpu).read(head: head, tail: tail)
            cbpfsys_store_release_u64(base + Self.tailOffset, head)
            return records
        }
    }

    /// Unmaps the ring and closes the event; later reads give nothing.
    func close() {
        open.withLock { isOpen in
            guard isOpen else { return }
            isOpen = false
            munmap(base, pageSize + dataSize)
            Glibc.close(descriptor)
        }
    }

    deinit { close() }
}
