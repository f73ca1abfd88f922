import BPFCore
import TCX

/// Reads what programs write with `bpf_perf_event_output` into a perf event array, as libbpf's
/// perf_buffer does: one ring per CPU (on the kernel a BPF output perf event with its mmap'd
/// ring, on the embedded engine a bounded ring of the same size) in the map's slot for that CPU.
/// A full ring drops samples; `read` reports them as `.lost` records before the next sample that
/// fits, and `lostCount` adds them up. The slots are emptied and the rings freed on deinit.
public final class PerfEventReader: Sendable {
    private let rings: any PerfEventRings
    private let lost: ManagedCounter

    /// Opens the rings for `map`, `pagesPerCPU` pages each (a power of 2; libbpf's default is 8).
    public init(map: borrowing Map, pagesPerCPU: Int = 8) throws(TCXError) {
        guard let world = map.world as? any PerfEventReading else {
            throw TCXError(.EOPNOTSUPP, "the \(map.world.backendName) backend has no perf event reader")
        }
        rings = try world.openPerfEventRings(map: map.handle, pagesPerCPU: pagesPerCPU)
        lost = ManagedCounter()
    }

    deinit { rings.close() }

    /// The CPUs with a ring (slot i belongs to CPU i).
    public var cpus: [Int] { rings.cpus }

    /// Every record waiting, CPU by CPU, oldest first.
    public func read() -> [PerfEventRecord] {
        let records = rings.read()
        for case .lost(_, let count) in records { lost.add(count) }
        return records
    }

    /// The samples of `read()`, without the lost records.
    public func samples() -> [(cpu: Int, bytes: [UInt8])] {
        read().compactMap { record in
            if case .sample(let cpu, let bytes) = record { return (cpu, bytes) }
            return nil
        }
    }

    /// Samples reported lost by every `read` so far.
    public var lostCount: UInt64 { lost.value }
}
