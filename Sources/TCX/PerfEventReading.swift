import BPFCore

/// Worlds that can read what programs write with `bpf_perf_event_output`, the way libbpf's
/// perf_buffer does: one ring per CPU, each stored in the perf event array's slot for that CPU.
public protocol PerfEventReading: BPFObjectSystem {
    /// Opens a ring of `pagesPerCPU` pages (a power of 2) on each CPU below the map's
    /// max_entries and the possible CPUs, and puts each in the map's slot of its CPU.
    /// EINVAL for a map of another type or a bad page count.
    func openPerfEventRings(map: Handle, pagesPerCPU: Int) throws(TCXError) -> any PerfEventRings
}

/// The rings one reader opened. `close` empties the slots it filled and frees the rings; it is
/// the owner's job (SwiftTCX's `PerfEventReader`) to call it once.
public protocol PerfEventRings: AnyObject, Sendable {
    /// The CPUs that have a ring, in slot order.
    var cpus: [Int] { get }
    /// Every record waiting in the rings, CPU by CPU, oldest first; the rings are empty after.
    func read() -> [PerfEventRecord]
    func close()
}

/// The page-count rule both backends share.
public enum PerfEventRingSize {
    /// Ours: the kernel takes what the locked-memory limit allows; 1024 pages (4 MiB) a CPU
    /// keeps a reader from pinning more memory than a test or tool needs.
    public static let maximumPages = 1024
    /// The embedded engine's page: the data area of a ring is this many bytes a page, as on
    /// x86_64 and arm64 kernels with 4 KiB pages.
    public static let pageSize = 4096

    public static func check(_ pages: Int) throws(TCXError) {
        guard pages > 0, pages & (pages - 1) == 0 else {
            throw TCXError(.EINVAL, "the ring of each CPU takes a power of 2 pages, not \(pages)")
        }
        guard pages <= maximumPages else {
            throw TCXError(.EINVAL, "\(pages) pages a CPU is more than the \(maximumPages) a reader may take")
        }
    }
}
