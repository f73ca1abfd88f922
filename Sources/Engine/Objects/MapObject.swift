import BPFCore
import BPFMaps

/// A map of the embedded world. Held by open files, pins and the programs that use it.
final class MapObject: @unchecked Sendable {
    let id: UInt32
    let map: BPFMap
    /// Guarded by the world's lock.
    var references = 0
    /// Of those, the open files and pins (the kernel's usercnt): when the last goes, the map's
    /// timers are cancelled and freed even while programs still hold the map. Guarded by the
    /// world's lock.
    var userReferences = 0
    /// The type of the first program loaded with this map, for the maps that hold programs or
    /// run them (prog_array, devmap, cpumap): every later program using it must be of that type,
    /// as the kernel's map owner check (`__bpf_prog_map_compatible`) wants. Guarded by the world's lock.
    var ownerType: ProgramType?

    init(id: UInt32, map: BPFMap) {
        self.id = id
        self.map = map
    }

    var label: String { map.spec.name.isEmpty ? "map \(id)" : "map \(map.spec.name) (id \(id))" }
}
