import BPFMaps
import Synchronization

/// Gives every map a program references a handle: the value its `lddw` loads, which the map
/// helpers turn back into the map. A handle never names host memory, and a value a program
/// made up is simply not found.
final class MapRegistry: Sendable {
    static let shared = MapRegistry()
    /// Handles carry a fixed tag in the high bits.
    static let tag: UInt64 = 0x00ba_dc0d_0000_0000

    private struct Entry { weak var map: BPFMap? }
    private let state = Mutex<(next: UInt64, byID: [ObjectIdentifier: UInt64], byHandle: [UInt64: Entry])>(
        (1, [:], [:]))

    func handle(for map: BPFMap) -> UInt64 {
        state.withLock { s in
            let id = ObjectIdentifier(map)
            if let h = s.byID[id], s.byHandle[h]?.map === map { return h }
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
}
