import BPFCore
import TCX

/// The kernel's map owner rule: a prog array, devmap or cpumap holds or runs programs, so every
/// program that uses one must be of the type of the first that did (measured on 6.18: a tc
/// program using a devmap, then an XDP program using it, is EINVAL after verification).
extension MapObject {
    static func holdsPrograms(_ type: MapType) -> Bool {
        type == .progArray || type == .devmap || type == .cpumap
    }

    /// Checks every map `spec` uses, then makes its type the owner of those that had none.
    /// Called under the world's lock, once the program has passed the verifier. `given` are
    /// the object's maps; only those the instructions name count, as the kernel's used maps.
    static func claimOwnership(of given: [MapObject], for spec: ProgramSpec) throws(TCXError) {
        let used = usedMapIndices(spec.instructions)
        let maps = given.indices.filter(used.contains).map { given[$0] }
        for map in maps where holdsPrograms(map.map.type) {
            if let owner = map.ownerType, owner != spec.type {
                throw TCXError(.EINVAL, "\(map.label) (\(map.map.type)) is used by \(owner) programs: a \(spec.type) program cannot use it")
            }
        }
        for map in maps where holdsPrograms(map.map.type) && map.ownerType == nil { map.ownerType = spec.type }
    }

    /// The map indices the program's `lddw` instructions name (BPF_PSEUDO_MAP_IDX and
    /// BPF_PSEUDO_MAP_IDX_VALUE, the loader's references to the object's maps).
    static func usedMapIndices(_ instructions: [UInt8]) -> Set<Int> {
        var used: Set<Int> = []
        var offset = 0
        while offset + 8 <= instructions.count {
            guard instructions[offset] == 0x18, offset + 16 <= instructions.count else {
                offset += 8
                continue
            }
            let source = instructions[offset + 1] >> 4
            let immediate = instructions[offset + 4 ..< offset + 8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if source == 5 || source == 6 { used.insert(Int(immediate)) }
            offset += 16
        }
        return used
    }
}
