import BPFMaps

/// A loaded program's maps by the handles its `lddw`s load (`MapRegistry`), so a map helper
/// finds the maps of the running program without the registry's lock, dictionary and weak
/// reference: a scan of a few words. The program holds its maps, so they live while it runs;
/// other handles (inner maps, a tail-called program's maps) go to the registry.
final class ProgramMaps: Sendable {
    private let handles: [UInt64]
    private let maps: [BPFMap]
    /// `maps` again, for callers that borrow a map while the program holds it.
    private let unretained: [Unmanaged<BPFMap>]
    /// The program's own structs by BTF type id, with their sizes: what `bpf_obj_new`
    /// allocates (it rides here because every run already holds this table).
    private let objectSizes: [UInt32: Int]

    init(_ maps: [BPFMap], objectSizes: [UInt32: Int] = [:]) {
        self.maps = maps
        self.objectSizes = objectSizes
        handles = maps.map { MapRegistry.shared.handle(for: $0) }
        unretained = maps.map { Unmanaged.passUnretained($0) }
    }

    func objectSize(_ typeID: UInt32) -> Int? { objectSizes[typeID] }

    func map(_ handle: UInt64) -> BPFMap? {
        unretainedMap(handle)?.takeUnretainedValue()
    }

    /// The map without a retain; it lives while this table does.
    func unretainedMap(_ handle: UInt64) -> Unmanaged<BPFMap>? {
        for index in handles.indices where handles[index] == handle { return unretained[index] }
        return nil
    }
}
