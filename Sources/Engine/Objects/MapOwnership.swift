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
    /// Called under the world's lock, once the program has passed the verifier.
    static func claimOwnership(of maps: [MapObject], for spec: ProgramSpec) throws(TCXError) {
        for map in maps where holdsPrograms(map.map.type) {
            if let owner = map.ownerType, owner != spec.type {
                throw TCXError(.EINVAL, "\(map.label) (\(map.map.type)) is used by \(owner) programs: a \(spec.type) program cannot use it")
            }
        }
        for map in maps where holdsPrograms(map.map.type) && map.ownerType == nil { map.ownerType = spec.type }
    }
}
