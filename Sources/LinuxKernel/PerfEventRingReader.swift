import BPFCore
import CBPFSys
import Glibc
import Synchronization
import TCX

/// One BPF output perf event and its mmap'd ring: a metadata page, then `dataSize` bytes the
/// kernel writes records into. The reader trusts nothing the kernel's page says beyond what it
/// can check: a head that runs more than a ring ahead of the tail, or a record whose size does
/// not fit what is left, drops what is unread and starts again at the head.
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

    /// Every record between the tail and the head, in order; the tail is moved to what was read.
    func read() -> [PerfEventRecord] {
        open.withLock { isOpen -> [PerfEventRecord] in
            guard isOpen else { return [] }
            let head = cbpfsys_load_acquire_u64(base + Self.headOffset)
            var tail = (base + Self.tailOffset).load(as: UInt64.self)
            var records: [PerfEventRecord] = []
            // A ring never holds more than its size: anything else means the page is not what it
            // should be, and nothing in it can be read safely.
            if head >= tail, head - tail <= UInt64(dataSize) {
                while head - tail >= UInt64(PerfEventLayout.headerSize) {
                    let header = bytes(at: tail, count: PerfEventLayout.headerSize)
                    let type = load32(header, 0)
                    let size = Int(load16(header, 6))
                    guard size >= PerfEventLayout.headerSize, UInt64(size) <= head - tail else { break }
                    if let record = decode(type: type, bytes(at: tail, count: size)) { records.append(record) }
                    tail += UInt64(size)
                }
            }
            cbpfsys_store_release_u64(base + Self.tailOffset, head)
            return records
        }
    }

    /// A sample or lost record; nil for other record types and for records too short for what
    /// they claim to hold.
    private func decode(type: UInt32, _ record: [UInt8]) -> PerfEventRecord? {
        switch type {
        case PerfEventLayout.recordSample:
            guard record.count >= PerfEventLayout.sampleOverhead else { return nil }
            let length = Int(load32(record, 8))
            guard length <= record.count - PerfEventLayout.sampleOverhead else { return nil }
            return .sample(cpu: cpu, bytes: Array(record[PerfEventLayout.sampleOverhead..<PerfEventLayout.sampleOverhead + length]))
        case PerfEventLayout.recordLost:
            guard record.count >= PerfEventLayout.lostRecordSize else { return nil }
            return .lost(cpu: cpu, count: load64(record, 16))
        default:
            return nil
        }
    }

    /// `count` bytes from ring position `position`, wrapping at the end of the data area.
    private func bytes(at position: UInt64, count: Int) -> [UInt8] {
        let data = UnsafeRawPointer(base + pageSize)
        let start = Int(position % UInt64(dataSize))
        let first = min(count, dataSize - start)
        var out = [UInt8](UnsafeRawBufferPointer(start: data + start, count: first))
        if first < count { out += UnsafeRawBufferPointer(start: data, count: count - first) }
        return out
    }

    private func load16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private func load32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }

    private func load64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) }
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
