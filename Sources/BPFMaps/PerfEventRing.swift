import BPFCore
import Synchronization

/// The embedded stand-in for one perf event of type PERF_COUNT_SW_BPF_OUTPUT with its mmap'd ring:
/// samples wait here, byte-accounted as the kernel's ring would hold them, until the reader
/// drains them. A sample that does not fit is dropped and counted; the count goes out as a lost
/// record just before the next sample that fits, as the kernel writes PERF_RECORD_LOST.
public final class PerfEventRing: Sendable {
    /// The CPU the event counts on: a program on another CPU gets EOPNOTSUPP, as in the kernel.
    public let cpu: Int
    /// Bytes of the data area (the mmap'd pages after the metadata page).
    public let capacity: Int

    private struct State {
        var records: [PerfEventRecord] = []
        var used = 0
        var pendingLost: UInt64 = 0
    }
    private let state = Mutex(State())

    /// `capacity` must be a power of 2 of at least one page (the reader's check).
    public init(cpu: Int, capacity: Int) {
        self.cpu = cpu
        self.capacity = capacity
    }

    /// Appends a sample of `bytes` (data and packet bytes, unpadded): nil, or ENOSPC when the ring
    /// has no room. The kernel needs one byte to spare (head may never meet tail), so a record
    /// fits only while the bytes in use stay below the capacity.
    func write(_ bytes: [UInt8]) -> LinuxErrno? {
        let raw = PerfEventLayout.rawSize(bytes.count)
        let sampleSize = PerfEventLayout.sampleOverhead + raw
        return state.withLock { state in
            let needed = sampleSize + (state.pendingLost > 0 ? PerfEventLayout.lostRecordSize : 0)
            guard state.used + needed < capacity else {
                state.pendingLost += 1
                return .ENOSPC
            }
            if state.pendingLost > 0 {
                state.records.append(.lost(cpu: cpu, count: state.pendingLost))
                state.pendingLost = 0
            }
            // The kernel skips the padding without writing it; here it is zero.
            state.records.append(.sample(cpu: cpu, bytes: bytes + [UInt8](repeating: 0, count: raw - bytes.count)))
            state.used += needed
            return nil
        }
    }

    /// Every record written since the last drain, oldest first; the ring is empty afterwards.
    public func drain() -> [PerfEventRecord] {
        state.withLock { state in
            let records = state.records
            state.records.removeAll()
            state.used = 0
            return records
        }
    }
}
