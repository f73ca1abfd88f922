import BPFMaps
import Synchronization

/// Gives every map a program references a handle: the value its `lddw` loads, which the map
/// helpers turn back into the map. A handle never names host memory, a value a program made up
/// is simply not found, and a handle is never given again, so one kept past its map's end finds
/// nothing. Entries of maps that are gone are swept as the table grows: a service that loads
/// programs for months keeps a table the size of its live maps.
final class MapRegistry: Sendable {
    static let shared = MapRegistry()
    /// Handles carry a fixed tag in the high bits.
    static let tag: UInt64 = 0x00ba_dc0d_0000_0000
    /// Below this many entries nothing is swept.
    static let smallestSweep = 1024

    private struct Entry { weak var map: BPFMap? }
    private struct Table {
        var next: UInt64 = 1
        var byID: [ObjectIdentifier: UInt64] = [:]
        var byHandle: [UInt64: Entry] = [:]
        /// The size at which the next sweep runs: twice what the last one left, so sweeping costs
        /// a constant share of the handles given.
        var sweepAt = MapRegistry.smallestSweep
    }
    private let state = Mutex(Table())

    func handle(for map: BPFMap) -> UInt64 {
        state.withLock { s in
            let id = ObjectIdentifier(map)
            if let h = s.byID[id], s.byHandle[h]?.map === map { return h }
            if s.byHandle.count >= s.sweepAt { Self.sweep(&s) }
            let h = Self.tag | s.next
            s.next += 1
            s.byID[id] = h
            s.byHandle[h] = Entry(map: map)
            return h
        }
    }

    func map(_ handle: UInt64) -> BPFMap? {
        guard handle & 0xffff_ffff_0000_0000 == Self.tag else { return nil }
        return state.withLock { $0.byHandle[handle]?.map }
    }

    /// The entries kept, live or not yet swept.
    var count: Int { state.withLock { $0.byHandle.count } }

    private static func sweep(_ s: inout Table) {
        s.byHandle = s.byHandle.filter { $0.value.map != nil }
        s.byID = s.byID.filter { s.byHandle[$0.value] != nil }
        s.sweepAt = max(smallestSweep, 2 * s.byHandle.count)
    }
}
